//! Plugin images and registries: what a project's image is called and how it
//! is built ([`build`], [`project`]), the names and limits SpaceONE's repository
//! accepts ([`naming`]), the Docker command line ([`docker`]) and the
//! registration in the repository service, on its 1.x and 2.x APIs ([`publish`]).
//!
//! Commands (`plugin build`, `plugin publish`) call into this module; it prints
//! nothing itself.

pub mod build;
pub mod docker;
pub mod naming;
pub mod project;
pub mod publish;
