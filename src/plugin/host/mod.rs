//! The host core, generic over a plugin kind ([`kind::KindSpec`]): it serves
//! whatever route table it is given and knows no kind itself.
//!
//! - [`server`]: bind, signals, the common services (Health, ServerInfo,
//!   reflection v1alpha and v1), the serve loop and shutdown;
//! - [`router`]: serves a kind's route table with dynamic messages;
//! - [`gate`]: the request size limit every service reads through;
//! - [`codec`]: how generated services decode their requests;
//! - [`context`]: state shared by the services of one server, the [`context::Backend`]
//!   that runs plugin routes;
//! - [`handler`]: the handler pool and its line protocol;
//! - [`log`], [`error`]: upstream-style log lines and plugin errors;
//! - [`convert`], [`dict`]: protobuf Struct and message ↔ dict conversions;
//!   [`encode`]: a streamed dict straight to wire bytes.
pub mod codec;
pub mod context;
pub mod convert;
pub mod dict;
pub mod encode;
pub mod error;
pub mod gate;
pub mod handler;
pub mod kind;
pub mod log;
pub mod router;
pub mod server;
