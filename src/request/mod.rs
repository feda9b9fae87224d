//! The input side: YAML 1.1 loading, parameter merging, data → protobuf message.
