//! The input side: YAML 1.1 loading, parameter merging, data → protobuf message, and the
//! `list` query builder. Pure functions; the only I/O is reading the `-f` file.

pub mod message;
pub mod params;
pub mod query;
pub mod yaml11;

#[cfg(test)]
mod fuzz;

/// A small protobuf schema covering every field kind, compiled at test time, shared by the
/// request and output converters' tests.
#[cfg(test)]
pub(crate) mod test_schema {
    use prost_reflect::{DescriptorPool, MessageDescriptor};
    use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

    pub const PROTO: &str = r#"
syntax = "proto3";
package spacectl.test;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum State {
  STATE_NONE = 0;
  ACTIVE = 1;
  DISABLED = 2;
}

message Inner {
  string name = 1;
  int32 n = 2;
}

message Kinds {
  double d = 1;
  float f = 2;
  int32 i32 = 3;
  int64 i64 = 4;
  uint32 u32 = 5;
  uint64 u64 = 6;
  sint32 s32 = 7;
  sint64 s64 = 8;
  fixed32 fx32 = 9;
  fixed64 fx64 = 10;
  sfixed32 sfx32 = 11;
  sfixed64 sfx64 = 12;
  bool b = 13;
  string s = 14;
  bytes by = 15;
  State state = 16;
  Inner inner = 17;
  repeated string tags = 18;
  repeated Inner items = 19;
  repeated float fs = 20;
  repeated State states = 21;
  map<string, string> labels = 22;
  map<int32, Inner> by_id = 23;
  map<bool, float> flags = 24;
  google.protobuf.Struct data = 25;
  google.protobuf.Value v = 26;
  google.protobuf.ListValue lv = 27;
  google.protobuf.Timestamp created_at = 28;
  google.protobuf.Duration took = 29;
  google.protobuf.Int64Value w_i64 = 30;
  google.protobuf.FloatValue w_f = 31;
  google.protobuf.StringValue w_s = 32;
  google.protobuf.BoolValue w_b = 33;
  google.protobuf.FieldMask mask = 34;
  google.protobuf.Any any = 35;
  google.protobuf.Empty empty = 36;
  oneof choice {
    string c_name = 37;
    int32 c_num = 38;
  }
  optional int32 opt = 39;
  google.protobuf.NullValue nv = 40;
  string camelName = 41;
  map<string, google.protobuf.Value> vmap = 42;
}

message Filter {
  string key = 1;
  string k = 2;
  google.protobuf.Value value = 3;
  google.protobuf.Value v = 4;
  string operator = 5;
  string o = 6;
}
message Sort {
  string key = 1;
  bool desc = 2;
}
message Page {
  uint32 start = 1;
  uint32 limit = 2;
}
message QueryV1 {
  repeated Filter filter = 1;
  Sort sort = 3;
  Page page = 4;
  bool minimal = 5;
  bool count_only = 6;
  repeated string only = 7;
}
message QueryV2 {
  repeated Filter filter = 1;
  repeated Sort sort = 3;
  Page page = 4;
  bool minimal = 5;
  repeated string only = 7;
}
message ListV1Request {
  QueryV1 query = 1;
  string name = 2;
}
message ListV2Request {
  QueryV2 query = 1;
  string provider = 2;
}
message ResourceStatRequest {
  google.protobuf.Struct aggregate = 1;
  Page page = 2;
}
message NoQueryRequest {
  string name = 1;
}
"#;

    struct Source;

    impl FileResolver for Source {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            if name == "spacectl_test.proto" {
                File::from_source(name, PROTO)
            } else {
                Err(protox::Error::file_not_found(name))
            }
        }
    }

    pub fn pool() -> DescriptorPool {
        let mut resolver = ChainFileResolver::new();
        resolver.add(Source);
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        compiler
            .open_file("spacectl_test.proto")
            .expect("test schema compiles");
        compiler.descriptor_pool()
    }

    pub fn message(name: &str) -> MessageDescriptor {
        pool()
            .get_message_by_name(&format!("spacectl.test.{name}"))
            .or_else(|| pool().get_message_by_name(name))
            .expect("message in test schema")
    }
}
