//! A collect item shaped and encoded straight from the handler's line: the
//! `ResourceInfo` bytes [`super::model::shape_collect_item`] and
//! [`super::service::resource_info`] give, for items that validate as they
//! are and refer to no metadata file. Anything else (`None`) goes that way,
//! which also words the errors.

use prost::encoding::{WireType, encode_key, encode_varint};

use super::model::{RESOURCE_FIELDS, RESOURCE_RESPONSE};
use super::reply::state_number;
use crate::plugin::host::encode::{
    Order, delimited, list_item, list_value, node_struct, struct_entry, text_field, text_value,
};
use crate::plugin::host::handler::item::Node;
use crate::plugin::kinds::model::{Dflt, Kind};
use crate::plugin::kinds::tape_model::{fits_model_but, model_struct};

/// The encoded `ResourceInfo` of one item, or `None`: shape it the dict way.
pub fn encode_item(item: Node<'_>) -> Option<Vec<u8>> {
    for member in ["cloud_service_type", "cloud_service"] {
        if item
            .get(member)
            .and_then(|m| m.get("__metadata__"))
            .is_some()
        {
            return None;
        }
    }
    let state = item.get("state")?.as_str()?;
    let resource_type = item.get("resource_type")?.as_str()?;
    let member = RESOURCE_FIELDS
        .iter()
        .find(|(rt, _)| *rt == resource_type)?
        .1;
    // The resource's own fields are checked as they are written.
    if !fits_model_but(&RESOURCE_RESPONSE, item, Some(member)) {
        return None;
    }
    let failed = state == "FAILURE";
    let message = item
        .get("error_message")
        .and_then(|m| m.as_str())
        .unwrap_or_default();

    let mut out = Vec::with_capacity(1024);
    let state = state_number(state)?;
    if state != 0 {
        encode_key(1, WireType::Varint, &mut out);
        encode_varint(state as i64 as u64, &mut out);
    }
    if !message.is_empty() {
        text_field(2, message, &mut out);
    }
    text_field(
        3,
        if failed {
            "inventory.ErrorResource"
        } else {
            resource_type
        },
        &mut out,
    );
    // match_rules: {"1": keys[0], "2": keys[1], ...}, keys in text order.
    delimited(4, &mut out, |out| {
        let Some(keys) = item.get("match_keys") else {
            return Some(());
        };
        let lists: Vec<Node<'_>> = keys.items()?.collect();
        let mut names: Vec<(String, usize)> =
            (0..lists.len()).map(|i| ((i + 1).to_string(), i)).collect();
        names.sort_unstable();
        for (name, i) in names {
            struct_entry(&name, out, |out| {
                list_value(out, |out| {
                    for key in lists[i].items()? {
                        let key = key.as_str()?;
                        list_item(out, |out| {
                            text_value(key, out);
                            Some(())
                        })?;
                    }
                    Some(())
                })
            })?;
        }
        Some(())
    })?;
    let field = RESOURCE_RESPONSE.fields.iter().find(|f| f.name == member)?;
    match item.get(member) {
        Some(v) if v.is_null() => {}
        Some(v) => delimited(6, &mut out, |out| match field.kind {
            Kind::Model(spec) => model_struct(spec, v, out),
            Kind::Dict => node_struct(v, Order::ByKey, out),
            _ => None,
        })?,
        None => match field.default {
            Dflt::EmptyObject => delimited(6, &mut out, |_| Some(()))?,
            Dflt::Null => {}
            _ => return None,
        },
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::host::handler::item::Tape;
    use crate::plugin::kinds::collector::model::shape_collect_item_inline;
    use crate::plugin::kinds::collector::service::resource_info;
    use prost::Message;
    use serde_json::{Value, json};

    /// The slow way's bytes, or `None` where it fails.
    fn slow(text: &str) -> Option<Vec<u8>> {
        let v: Value = serde_json::from_str(text).ok()?;
        let shaped = shape_collect_item_inline(&v).ok()?;
        Some(resource_info(shaped).ok()?.encode_to_vec())
    }

    fn fast(text: &str) -> Option<Vec<u8>> {
        let tape = Tape::parse(text.as_bytes()).expect("json");
        encode_item(tape.root())
    }

    /// Fast where it answers, and then the same bytes as the slow way.
    fn agree(text: &str) -> bool {
        match fast(text) {
            Some(bytes) => {
                assert_eq!(Some(bytes), slow(text), "{text}");
                true
            }
            None => false,
        }
    }

    fn cloud_service(i: usize) -> Value {
        json!({
            "name": format!("vm-{i}"), "cloud_service_type": "Instance",
            "cloud_service_group": "Compute", "provider": "bench",
            "data": {"zone": "a", "cpu": {"cores": 4, "ratio": 0.5}, "tags": ["x", 1, null, true],
                     "": "empty key", "ü": "ü\n\"", "b": false, "n": null, "big": 12345678901234567890u64,
                     "neg": -3, "z": {}, "l": [[], [{}]]},
            "ip_addresses": ["10.0.0.1"], "account": "acc", "instance_type": "m5", "instance_size": 2,
            "region_code": "r1", "reference": {"resource_id": format!("id-{i}"), "external_link": null},
            "tags": {"team": "platform", "index": i.to_string()}, "launched_at": "2024-05-01",
            "unknown_key": [1, 2]
        })
    }

    #[test]
    fn usual_items_take_the_fast_way_with_the_same_bytes() {
        let items = [
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": cloud_service(1),
                   "match_keys": [["reference.resource_id", "provider"], ["name"]]}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": cloud_service(2), "match_keys": (0..12).map(|i| vec![format!("k{i}")]).collect::<Vec<_>>(),
                   "cloud_service_type": null, "region": null, "error_message": ""}),
            json!({"state": "FAILURE", "resource_type": "inventory.ErrorResource", "error_message": "boom",
                   "error_data": {"why": "x", "n": 1}}),
            json!({"state": "FAILURE", "resource_type": "inventory.ErrorResource", "message": "dropped"}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
                   "cloud_service_type": {"name": "Instance", "group": "Compute", "provider": "bench",
                   "is_primary": true, "json_metadata": "{}", "labels": ["Compute"], "tags": {"a": "b"}}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.Region",
                   "region": {"region_code": "r1", "provider": "bench", "name": "Region 1"}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.Namespace",
                   "namespace": {"name": "n", "category": "ASSET", "resource_type": "x", "version": "1", "tags": null}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.Metric",
                   "metric": {"name": "m", "metric_type": "GAUGE", "resource_type": "x", "query_options": {},
                              "namespace_id": "ns", "version": "1"}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "cloud_service": null}),
        ];
        for item in items {
            let text = item.to_string();
            assert!(agree(&text), "took the slow way: {text}");
        }
        // A key written twice: the last value, as serde_json reads it.
        assert!(agree(
            r#"{"state":"SUCCESS","resource_type":"inventory.CloudService","cloud_service":{"cloud_service_type":"a","cloud_service_group":"b","provider":"c","data":{"k":1,"k":2,"a":0},"provider":"d"}}"#
        ));
    }

    #[test]
    fn conversions_errors_and_metadata_take_the_slow_way() {
        for item in [
            json!([1]),
            json!({"state": "SUCCESS"}),
            json!({"state": "success", "resource_type": "inventory.CloudService"}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": {"cloud_service_type": 1, "cloud_service_group": "b", "provider": "c"}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": {"cloud_service_group": "b", "provider": "c"}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": {"cloud_service_type": "a", "cloud_service_group": "b", "provider": "c",
                                     "__metadata__": {"value": {}, "as": "metadata"}}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                   "cloud_service": {"cloud_service_type": "a", "cloud_service_group": "b", "provider": "c",
                                     "instance_size": "2"}}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "match_keys": [["a", null]]}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "match_keys": [[1]]}),
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "tags": [["a", "b"]],
                   "cloud_service": {"cloud_service_type": "a", "cloud_service_group": "b", "provider": "c",
                                     "tags": [["a", "b"]]}}),
        ] {
            assert!(fast(&item.to_string()).is_none(), "{item}");
        }
    }

    /// Items changed at random: wherever the fast way answers, the bytes agree.
    #[test]
    fn changed_items_agree_wherever_the_fast_way_answers() {
        let replacements = [
            json!(null),
            json!(1),
            json!(-2.5),
            json!("text"),
            json!(true),
            json!([]),
            json!({}),
            json!(["a"]),
            json!([["a"]]),
            json!({"k": "v"}),
            json!("FAILURE"),
            json!("inventory.Region"),
        ];
        let mut next = crate::plugin::kinds::tape_model::picker(0x2545_f491_4f6c_dd1d);
        let mut fast_ones = 0;
        for _ in 0..3000 {
            let mut item = json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
                "cloud_service": cloud_service(3), "match_keys": [["name"]], "error_message": ""});
            for _ in 0..1 + next(3) {
                // A path of one or two keys: the item's, or its cloud service's.
                let top = [
                    "state",
                    "resource_type",
                    "cloud_service",
                    "match_keys",
                    "error_message",
                    "error_data",
                    "region",
                ];
                let inner = [
                    "name",
                    "cloud_service_type",
                    "provider",
                    "data",
                    "ip_addresses",
                    "instance_size",
                    "reference",
                    "tags",
                    "json_data",
                    "launched_at",
                ];
                let value = replacements[next(replacements.len())].clone();
                if next(2) == 0 {
                    let key = top[next(top.len())];
                    if next(4) == 0 {
                        item.as_object_mut().unwrap().shift_remove(key);
                    } else {
                        item[key] = value;
                    }
                } else if let Some(cs) = item["cloud_service"].as_object_mut() {
                    let key = inner[next(inner.len())];
                    if next(4) == 0 {
                        cs.shift_remove(key);
                    } else {
                        cs.insert(key.to_string(), value);
                    }
                }
            }
            if agree(&item.to_string()) {
                fast_ones += 1;
            }
        }
        assert!(fast_ones > 300, "only {fast_ones} items took the fast way");
    }
}
