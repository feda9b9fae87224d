//! The services of one endpoint and their descriptors, from reflection or from
//! the cache.

use prost_reflect::{DescriptorPool, MethodDescriptor, ServiceDescriptor};

use super::cache::DescriptorCache;
use super::channel::Connection;
use super::reflection::{ReflectionStream, encode_file_set};
use super::resolve::is_resource_service;
use super::status::connection_error;
use crate::error::AppError;

/// Where a descriptor set comes from.
pub enum DescriptorSource {
    /// Server reflection on an open stream.
    Reflection(Box<ReflectionStream>),
    /// A descriptor set stored earlier for the same service list.
    Stored(Vec<u8>),
}

impl DescriptorSource {
    /// The encoded `FileDescriptorSet` covering `services` and their dependencies.
    pub async fn file_set(&mut self, services: &[String]) -> Result<Vec<u8>, AppError> {
        match self {
            DescriptorSource::Reflection(stream) => {
                Ok(encode_file_set(&stream.files_for(services).await?))
            }
            DescriptorSource::Stored(bytes) => Ok(std::mem::take(bytes)),
        }
    }
}

/// The services an endpoint lists (reflection itself excluded) and a pool
/// holding their descriptors.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: Vec<String>,
    pool: DescriptorPool,
    file_set: Vec<u8>,
}

impl Catalog {
    /// Build from an encoded `FileDescriptorSet`; every listed service must be in it.
    pub fn from_file_set(services: Vec<String>, file_set: Vec<u8>) -> Result<Self, String> {
        let pool = DescriptorPool::decode(file_set.as_slice()).map_err(|e| e.to_string())?;
        if let Some(missing) = services
            .iter()
            .find(|s| pool.get_service_by_name(s).is_none())
        {
            return Err(format!("no descriptor for service {missing}"));
        }
        Ok(Catalog {
            services,
            pool,
            file_set,
        })
    }

    /// Fully-qualified service names in the server's order.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    pub fn service(&self, full_name: &str) -> Option<ServiceDescriptor> {
        self.pool.get_service_by_name(full_name)
    }

    /// Method names of a service in declaration order.
    pub fn method_names(&self, full_name: &str) -> Vec<String> {
        self.service(full_name)
            .map(|s| s.methods().map(|m| m.name().to_string()).collect())
            .unwrap_or_default()
    }

    /// A method by exact (case-sensitive) name.
    pub fn method(&self, service: &str, verb: &str) -> Option<MethodDescriptor> {
        self.service(service)?.methods().find(|m| m.name() == verb)
    }

    pub fn file_set(&self) -> &[u8] {
        &self.file_set
    }
}

/// How a catalog was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Reflection,
    Cache,
}

/// Discover an endpoint's services: one reflection stream lists them; the
/// descriptors come from the cache when it holds an entry for exactly that
/// list, otherwise from reflection on the same stream (and are then stored).
pub async fn load(
    conn: &Connection,
    cache_key: &str,
    cache: Option<&DescriptorCache>,
) -> Result<(Catalog, Origin), AppError> {
    let (stream, listed) = ReflectionStream::open(conn).await?;
    let services: Vec<String> = listed
        .into_iter()
        .filter(|s| is_resource_service(s))
        .collect();

    if let Some(bytes) = cache.and_then(|c| c.load(cache_key, &services)) {
        let mut source = DescriptorSource::Stored(bytes);
        if let Ok(catalog) =
            Catalog::from_file_set(services.clone(), source.file_set(&services).await?)
        {
            return Ok((catalog, Origin::Cache));
        }
    }

    let mut source = DescriptorSource::Reflection(Box::new(stream));
    let file_set = source.file_set(&services).await?;
    let catalog = Catalog::from_file_set(services, file_set)
        .map_err(|e| connection_error(&conn.label, &format!("invalid descriptors: {e}")))?;
    if let Some(c) = cache {
        // A cache that cannot be written only costs speed next time.
        let _ = c.store(cache_key, catalog.services(), catalog.file_set());
    }
    Ok((catalog, Origin::Reflection))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grpc::reflection::RawFile;
    use prost::Message;

    fn wkt(name: &str) -> RawFile {
        let bytes = DescriptorPool::global()
            .get_file_by_name(name)
            .unwrap()
            .file_descriptor_proto()
            .encode_to_vec();
        RawFile {
            name: name.into(),
            bytes,
        }
    }

    fn service_file() -> RawFile {
        let proto = prost_types::FileDescriptorProto {
            name: Some("demo/v1/thing.proto".into()),
            package: Some("demo.v1".into()),
            dependency: vec!["google/protobuf/empty.proto".into()],
            service: vec![prost_types::ServiceDescriptorProto {
                name: Some("Thing".into()),
                method: ["get", "Get", "list"]
                    .iter()
                    .map(|m| prost_types::MethodDescriptorProto {
                        name: Some(m.to_string()),
                        input_type: Some(".google.protobuf.Empty".into()),
                        output_type: Some(".google.protobuf.Empty".into()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
            syntax: Some("proto3".into()),
            ..Default::default()
        };
        RawFile {
            name: "demo/v1/thing.proto".into(),
            bytes: proto.encode_to_vec(),
        }
    }

    #[test]
    fn catalog_from_files_in_any_order() {
        let set = encode_file_set(&[service_file(), wkt("google/protobuf/empty.proto")]);
        let c = Catalog::from_file_set(vec!["demo.v1.Thing".into()], set).unwrap();
        assert_eq!(c.services(), ["demo.v1.Thing".to_string()]);
        assert_eq!(c.method_names("demo.v1.Thing"), ["get", "Get", "list"]);
        assert_eq!(c.method("demo.v1.Thing", "Get").unwrap().name(), "Get");
        assert!(c.method("demo.v1.Thing", "GET").is_none());
        assert!(c.method("demo.v1.Nope", "get").is_none());
    }

    #[test]
    fn catalog_rejects_missing_services_and_bad_bytes() {
        let set = encode_file_set(&[wkt("google/protobuf/empty.proto")]);
        assert_eq!(
            Catalog::from_file_set(vec!["demo.v1.Thing".into()], set).unwrap_err(),
            "no descriptor for service demo.v1.Thing"
        );
        assert!(Catalog::from_file_set(vec![], b"\x0a\xff".to_vec()).is_err());
        // A dependency that is absent makes the set invalid.
        assert!(Catalog::from_file_set(vec![], encode_file_set(&[service_file()])).is_err());
    }
}
