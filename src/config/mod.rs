//! Configuration profiles in `~/.spaceone/`, compatible in both directions with the
//! files of the Python client.
//!
//! * `environment.yml` — `{environment: <name>}`, the current environment;
//! * `environments/<name>.yml` — one mapping per environment (`api_key`, `token`,
//!   `x_domain_id`, `x_workspace_id`, `endpoints`, any other keys);
//! * `template/` — user list templates.
//!
//! Every write is atomic (temporary file + rename) with mode 0600; created
//! directories get mode 0700.

pub mod environment;
pub mod fsio;
pub mod paths;
pub mod store;
pub mod url;

pub use environment::{Environment, redact};
#[allow(unused_imports)]
pub use paths::{spaceone_dir, template_dir};
pub use store::{InitOutcome, Store};
#[allow(unused_imports)]
pub use url::{EndpointUrl, ParsedEndpoint, parse_endpoint_url, validate_endpoint_url};
