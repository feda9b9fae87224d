//! How the host's codec decodes the collector's requests: every Struct field
//! through the host's own Struct decoder (deeper nesting than prost accepts),
//! the task filter of `get_tasks` by prost.

use prost::Message;
use tonic::Status;

use super::pb;
use crate::plugin::host::codec::{HostDecode, decode_request};

impl HostDecode for pb::InitRequest {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        let mut m = Self::default();
        decode_request(bytes, &mut [(1, "options", &mut m.options)], &[], |_, _| {
            Ok(())
        })?;
        Ok(m)
    }
}

impl HostDecode for pb::VerifyRequest {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        let mut m = Self::default();
        decode_request(
            bytes,
            &mut [
                (1, "options", &mut m.options),
                (2, "secret_data", &mut m.secret_data),
            ],
            &[],
            |_, _| Ok(()),
        )?;
        Ok(m)
    }
}

impl HostDecode for pb::CollectRequest {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        let mut m = Self::default();
        decode_request(
            bytes,
            &mut [
                (1, "options", &mut m.options),
                (2, "secret_data", &mut m.secret_data),
                (3, "filter", &mut m.filter),
                (4, "task_options", &mut m.task_options),
            ],
            &[],
            |_, _| Ok(()),
        )?;
        Ok(m)
    }
}

impl HostDecode for pb::GetTaskRequest {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        let mut m = Self::default();
        let mut task_filter: Option<pb::TaskFilter> = None;
        decode_request(
            bytes,
            &mut [
                (1, "secret_data", &mut m.secret_data),
                (2, "options", &mut m.options),
            ],
            &[3],
            |_, payload| {
                task_filter
                    .get_or_insert_with(Default::default)
                    .merge(payload)
                    .map_err(|e| Status::internal(e.to_string()))
            },
        )?;
        m.task_filter = task_filter;
        Ok(m)
    }
}
