//! Protobuf message → data (placeholder until the converter lands).
