//! The services of one endpoint and their descriptors, from reflection or from
//! the cache.

use prost_reflect::{DescriptorPool, MethodDescriptor, ServiceDescriptor};

use super::cache::DescriptorCache;
use super::channel::Connection;
use super::reflection::{ReflectionStream, encode_file_set};
use super::resolve::is_resource_service;
use super::status::connection_error;
use crate::error::AppError;

/// Where the descriptors of a service list come from.
pub enum DescriptorSource {
    /// Server reflection on an open stream.
    Reflection(Box<ReflectionStream>),
    /// The cache entry of the endpoint, decoded ahead of time.
    Cache(Prefetch),
}

impl DescriptorSource {
    /// The catalog of `services`. The cache declines (`None`) when its entry is
    /// missing, unreadable or was stored for a different service list.
    pub async fn catalog(
        self,
        services: &[String],
        label: &str,
    ) -> Result<Option<Catalog>, AppError> {
        match self {
            DescriptorSource::Reflection(mut stream) => {
                let file_set = encode_file_set(&stream.files_for(services).await?);
                Catalog::from_file_set(services.to_vec(), file_set)
                    .map(Some)
                    .map_err(|e| connection_error(label, &format!("invalid descriptors: {e}")))
            }
            DescriptorSource::Cache(prefetch) => Ok(prefetch.wait(services)),
        }
    }
}

/// The cache entry of an endpoint, decoded once the services it lists are
/// known. It is decoded on the calling thread: a worker thread to overlap it
/// with the listing costs more CPU (thread start, its malloc arena) than the
/// few hundred microseconds of wall time it would save.
pub struct Prefetch(Option<(DescriptorCache, String)>);

impl Prefetch {
    /// The entry of `key` (nothing to do without a cache).
    pub fn start(cache: Option<&DescriptorCache>, key: &str) -> Prefetch {
        Prefetch(cache.cloned().map(|c| (c, key.to_string())))
    }

    /// No cache entry.
    pub fn none() -> Prefetch {
        Prefetch(None)
    }

    /// The catalog, when the entry was stored for exactly `services` (it is
    /// only decoded then).
    fn wait(self, services: &[String]) -> Option<Catalog> {
        let (cache, key) = self.0?;
        let entry = cache.load(&key).filter(|e| e.services == services)?;
        Catalog::from_file_set(entry.services, entry.file_set).ok()
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
/// descriptors come from the prefetched cache entry when it was stored for
/// exactly that list, otherwise from reflection on the same stream (and are
/// then stored).
pub async fn load(
    conn: &Connection,
    cache_key: &str,
    cache: Option<&DescriptorCache>,
    prefetch: Prefetch,
) -> Result<(Catalog, Origin), AppError> {
    let (stream, listed) = ReflectionStream::open(conn).await?;
    let services: Vec<String> = listed
        .into_iter()
        .filter(|s| is_resource_service(s))
        .collect();

    if let Some(catalog) = DescriptorSource::Cache(prefetch)
        .catalog(&services, &conn.label)
        .await?
    {
        return Ok((catalog, Origin::Cache));
    }
    let catalog = DescriptorSource::Reflection(Box::new(stream))
        .catalog(&services, &conn.label)
        .await?
        .ok_or_else(|| connection_error(&conn.label, "no descriptors from reflection"))?;
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
    fn cache_source_serves_only_the_stored_service_list() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DescriptorCache::at(dir.path());
        let services = vec!["demo.v1.Thing".to_string()];
        let set = encode_file_set(&[service_file(), wkt("google/protobuf/empty.proto")]);
        cache.store("grpc://h:1", &services, &set).unwrap();
        cache.store("grpc://h:2", &services, b"\x0a\xff").unwrap();

        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let from_cache = |key: &str, listed: &[String]| {
            rt.block_on(async {
                let prefetch = Prefetch::start(Some(&cache), key);
                DescriptorSource::Cache(prefetch)
                    .catalog(listed, "h:1")
                    .await
                    .unwrap()
            })
        };
        let hit = from_cache("grpc://h:1", &services).expect("cached catalog");
        assert_eq!(hit.method_names("demo.v1.Thing"), ["get", "Get", "list"]);
        let changed = vec!["demo.v1.Thing".to_string(), "demo.v1.Other".to_string()];
        assert!(from_cache("grpc://h:1", &changed).is_none());
        assert!(from_cache("grpc://h:2", &services).is_none(), "corrupt set");
        assert!(from_cache("grpc://h:3", &services).is_none(), "no entry");
        let none = rt.block_on(DescriptorSource::Cache(Prefetch::none()).catalog(&services, "h:1"));
        assert!(none.unwrap().is_none());
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
