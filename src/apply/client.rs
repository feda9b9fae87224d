//! The [`Caller`] that reaches real services: the current spacectl
//! environment's endpoints and credentials, one reflected session per endpoint,
//! kept open for the whole run.

use std::collections::HashMap;

use prost_reflect::{Kind, MethodDescriptor};
use serde_json::{Map, Value};

use super::caller::Caller;
use crate::config::Environment;
use crate::error::{AppError, Result};
use crate::grpc::resolve::{Target, parse_resource};
use crate::grpc::{Options, Session, TlsFiles};

/// API version used to pick among services sharing a short name.
const API_VERSION: &str = "v1";

pub struct ServiceCaller {
    runtime: tokio::runtime::Runtime,
    env: Environment,
    options: Options,
    tls: TlsFiles,
    /// Endpoint key (`identity`, `repository`, ...) → open session.
    sessions: HashMap<String, Session>,
}

impl ServiceCaller {
    /// `tls` is completed by the environment file's TLS keys.
    pub fn new(env: Environment, options: Options, tls: TlsFiles) -> Result<Self> {
        let tls = tls.or(crate::grpc::tls::files_of(&env)?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::msg(format!("Cannot start the async runtime. ({e})")))?;
        Ok(ServiceCaller {
            runtime,
            env,
            options,
            tls,
            sessions: HashMap::new(),
        })
    }

    fn method(&mut self, target: &Target, verb: &str) -> Result<MethodDescriptor> {
        if !self.sessions.contains_key(&target.service) {
            let url = self.env.endpoint(&target.service)?;
            let session =
                self.runtime
                    .block_on(Session::open_with(&url, &self.options, &self.tls))?;
            self.sessions.insert(target.service.clone(), session);
        }
        let session = self.sessions.get_mut(&target.service).ok_or_else(|| {
            AppError::msg(format!("Endpoint is not set. (service={})", target.service))
        })?;
        self.runtime
            .block_on(session.method(target, verb, API_VERSION))
    }
}

impl Caller for ServiceCaller {
    fn call(
        &mut self,
        resource: &str,
        verb: &str,
        params: &Map<String, Value>,
    ) -> Result<Vec<Value>> {
        let target = parse_resource(resource)?;
        let method = self.method(&target, verb)?;
        let request = crate::request::message::from_value(&method.input(), params)?;
        let metadata = self.env.call_metadata();
        let session = self.sessions.get(&target.service).ok_or_else(|| {
            AppError::msg(format!("Endpoint is not set. (service={})", target.service))
        })?;
        let mut responses = Vec::new();
        self.runtime
            .block_on(session.call(&method, request, &metadata, |msg| {
                responses.push(crate::output::message::to_value(&msg));
                Ok(())
            }))?;
        Ok(responses)
    }

    fn request_fields(&mut self, resource: &str, verb: &str) -> Result<Option<Vec<String>>> {
        let target = parse_resource(resource)?;
        let method = self.method(&target, verb)?;
        Ok(Some(
            method
                .input()
                .fields()
                .map(|f| f.name().to_string())
                .collect(),
        ))
    }

    fn message_fields(&mut self, resource: &str, verb: &str) -> Result<Vec<String>> {
        let target = parse_resource(resource)?;
        let method = self.method(&target, verb)?;
        Ok(method
            .input()
            .fields()
            .filter(|f| !f.is_map())
            .filter(|f| match f.kind() {
                Kind::Message(m) => !m.full_name().starts_with("google.protobuf."),
                _ => false,
            })
            .map(|f| f.name().to_string())
            .collect())
    }
}

/// Loads the spacectl configuration on the first call, so manifests without
/// `resource` tasks run without one.
pub struct LazyCaller {
    options: Options,
    tls: TlsFiles,
    inner: Option<ServiceCaller>,
}

impl LazyCaller {
    /// `tls` holds the TLS files given as flags.
    pub fn new(options: Options, tls: TlsFiles) -> Self {
        LazyCaller {
            options,
            tls,
            inner: None,
        }
    }

    fn get(&mut self) -> Result<&mut ServiceCaller> {
        if self.inner.is_none() {
            let env = crate::session::load_current()?;
            self.inner = Some(ServiceCaller::new(
                env,
                self.options.clone(),
                self.tls.clone(),
            )?);
        }
        self.inner.as_mut().ok_or_else(|| {
            AppError::msg("spaceconfig is undefined. (Use \"spacectl config init\")")
        })
    }
}

impl Caller for LazyCaller {
    fn call(
        &mut self,
        resource: &str,
        verb: &str,
        params: &Map<String, Value>,
    ) -> Result<Vec<Value>> {
        self.get()?.call(resource, verb, params)
    }

    fn request_fields(&mut self, resource: &str, verb: &str) -> Result<Option<Vec<String>>> {
        self.get()?.request_fields(resource, verb)
    }

    fn message_fields(&mut self, resource: &str, verb: &str) -> Result<Vec<String>> {
        self.get()?.message_fields(resource, verb)
    }
}
