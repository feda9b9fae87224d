//! Each case here was run through pandas 3.1 (`read_csv(...).to_dict('records')`,
//! `DataFrame(rows).merge(...)`) and the expected rows are what it gave, with
//! NaN written as `null`.

use super::*;
use serde_json::json;

fn csv(text: &str) -> Value {
    Value::Array(read_csv(text).unwrap_or_else(|e| panic!("{e}")).records())
}

fn kinds(text: &str) -> Vec<Kind> {
    read_csv(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .columns
        .iter()
        .map(|c| c.kind)
        .collect()
}

#[test]
fn csv_numbers() {
    assert_eq!(
        csv("a,b\n1,2\n3,4\n"),
        json!([{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    );
    assert_eq!(kinds("a,b\n1,2\n"), vec![Kind::Int, Kind::Int]);
    // a missing cell makes whole numbers floats
    assert_eq!(
        csv("a,b\n1,\n3,4\n"),
        json!([{"a": 1, "b": null}, {"a": 3, "b": 4.0}])
    );
    assert_eq!(csv("a\n1.5\n2\n"), json!([{"a": 1.5}, {"a": 2.0}]));
    assert_eq!(
        csv("a\n1e3\n+1.5\n1.E2\n.5\n1.\n"),
        json!([{"a": 1000.0}, {"a": 1.5}, {"a": 100.0}, {"a": 0.5}, {"a": 1.0}])
    );
    assert_eq!(csv("a\n-01\n+2\n"), json!([{"a": -1}, {"a": 2}]));
    assert_eq!(
        csv("a,b\n 1 , x \n2,y\n"),
        json!([{"a": 1, "b": " x "}, {"a": 2, "b": "y"}])
    );
    assert_eq!(csv("a\n\t1\n"), json!([{"a": 1}]));
    assert_eq!(
        csv("a\n9223372036854775808\n"),
        json!([{"a": 9223372036854775808u64}])
    );
    // past int64 and negative: no integer type holds both
    assert_eq!(
        csv("a\n18446744073709551615\n-1\n"),
        json!([{"a": "18446744073709551615"}, {"a": "-1"}])
    );
    // infinities are floats (and null in JSON)
    assert_eq!(kinds("a\n1e3\ninf\n-Infinity\n"), vec![Kind::Float]);
    assert_eq!(csv("a\n-0\n-0.0\n"), json!([{"a": -0.0}, {"a": -0.0}]));
}

#[test]
fn csv_text_and_booleans() {
    assert_eq!(
        csv("a\nTrue\nfalse\ntRuE\n"),
        json!([{"a": true}, {"a": false}, {"a": true}])
    );
    assert_eq!(kinds("a\nTrue\n"), vec![Kind::Bool]);
    // booleans with a missing cell keep their values
    assert_eq!(
        csv("a,b\nTrue,1\n,2\nfalse,3\n"),
        json!([{"a": true, "b": 1}, {"a": null, "b": 2}, {"a": false, "b": 3}])
    );
    assert_eq!(kinds("a,b\nTrue,1\nNA,2\n"), vec![Kind::Object, Kind::Int]);
    assert_eq!(csv("a\nTrue\n1\n"), json!([{"a": "True"}, {"a": "1"}]));
    assert_eq!(csv("a\nyes\nno\n"), json!([{"a": "yes"}, {"a": "no"}]));
    assert_eq!(csv("a\n1\nx\n"), json!([{"a": "1"}, {"a": "x"}]));
    assert_eq!(
        csv("a\n0x10\n1_000\n2024-01-01\n"),
        json!([{"a": "0x10"}, {"a": "1_000"}, {"a": "2024-01-01"}])
    );
    assert_eq!(
        csv("a,b\nx,1\n,2\n"),
        json!([{"a": "x", "b": 1}, {"a": null, "b": 2}])
    );
    assert_eq!(
        csv("a,b\nNA,None\nnull,x\n"),
        json!([{"a": null, "b": null}, {"a": null, "b": "x"}])
    );
    assert_eq!(csv("a,b\n,\n"), json!([{"a": null, "b": null}]));
}

#[test]
fn csv_layout() {
    assert_eq!(
        csv("a,a,\n1,2,3\n"),
        json!([{"a": 1, "a.1": 2, "Unnamed: 2": 3}])
    );
    assert_eq!(
        csv("a,a,a.1\n1,2,3\n"),
        json!([{"a": 1, "a.2": 2, "a.1": 3}])
    );
    assert_eq!(csv("a,b\n1\n"), json!([{"a": 1, "b": null}]));
    assert_eq!(csv("a\n1\n\n2\n"), json!([{"a": 1}, {"a": 2}]));
    assert_eq!(
        csv("a,b\n\"x,y\",\"1\"\n\"say \"\"hi\"\"\",2\n"),
        json!([{"a": "x,y", "b": 1}, {"a": "say \"hi\"", "b": 2}])
    );
    assert_eq!(csv("a,b\n\"\",1\n"), json!([{"a": null, "b": 1}]));
    assert_eq!(csv("\u{feff}a\n1\n"), json!([{"a": 1}]));
    assert_eq!(csv("a,b\r\n1,x\r\n"), json!([{"a": 1, "b": "x"}]));
    assert_eq!(csv("a\n\"x\ny\"\n"), json!([{"a": "x\ny"}]));
    assert_eq!(csv(" a ,b\n1,2\n"), json!([{" a ": 1, "b": 2}]));
    assert_eq!(csv("이름,값\n가,1\n"), json!([{"이름": "가", "값": 1}]));
    assert_eq!(csv("a,b\n"), json!([]));
    // one field more than the header on the first row: the first is an index
    assert_eq!(csv("a,b\n1,2,3\n"), json!([{"a": 2, "b": 3}]));
    assert_eq!(
        read_csv("a,b\n1,2\n1,2,3\n").map(|f| f.len),
        Err("Error tokenizing data. C error: Expected 2 fields in line 3, saw 3".to_string())
    );
    assert_eq!(
        read_csv("").map(|f| f.len),
        Err("No columns to parse from file".to_string())
    );
}

fn join(o: Value, t: Value, keys: &[&str], how: How) -> Result<Value, String> {
    let l = Frame::from_records(
        o.as_array().map(Vec::as_slice).unwrap_or(&[]),
        "origin_data",
    )?;
    let r = Frame::from_records(t.as_array().map(Vec::as_slice).unwrap_or(&[]), "other_data")?;
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    merge(&l, &r, &keys, how).map(|f| Value::Array(f.records()))
}

fn ids() -> (Value, Value) {
    (
        json!([{"id": 2, "n": "b"}, {"id": 1, "n": "a"}, {"id": 3, "n": "c"}]),
        json!([{"id": 1, "v": 10}, {"id": 2, "v": 20}, {"id": 2, "v": 21}, {"id": 4, "v": 40}]),
    )
}

#[test]
fn join_orders() {
    let (o, t) = ids();
    assert_eq!(
        join(o.clone(), t.clone(), &["id"], How::Left),
        Ok(
            json!([{"id": 2, "n": "b", "v": 20.0}, {"id": 2, "n": "b", "v": 21.0},
                  {"id": 1, "n": "a", "v": 10.0}, {"id": 3, "n": "c", "v": null}])
        )
    );
    assert_eq!(
        join(o.clone(), t.clone(), &["id"], How::Right),
        Ok(
            json!([{"id": 1, "n": "a", "v": 10}, {"id": 2, "n": "b", "v": 20},
                  {"id": 2, "n": "b", "v": 21}, {"id": 4, "n": null, "v": 40}])
        )
    );
    assert_eq!(
        join(o.clone(), t.clone(), &["id"], How::Inner),
        Ok(
            json!([{"id": 2, "n": "b", "v": 20}, {"id": 2, "n": "b", "v": 21}, {"id": 1, "n": "a", "v": 10}])
        )
    );
    assert_eq!(
        join(o.clone(), t.clone(), &["id"], How::Outer),
        Ok(
            json!([{"id": 1, "n": "a", "v": 10.0}, {"id": 2, "n": "b", "v": 20.0},
                  {"id": 2, "n": "b", "v": 21.0}, {"id": 3, "n": "c", "v": null},
                  {"id": 4, "n": null, "v": 40.0}])
        )
    );
    assert_eq!(
        join(o.clone(), t.clone(), &["id"], How::LeftAnti),
        Ok(json!([{"id": 3, "n": "c", "v": null}]))
    );
    assert_eq!(
        join(o, t, &["id"], How::RightAnti),
        Ok(json!([{"id": 4, "n": null, "v": 40}]))
    );
    assert_eq!(
        join(
            json!([{"k": "b"}, {"k": "a"}, {"k": "c"}]),
            json!([{"k": "a", "v": 1}, {"k": "0", "v": 2}]),
            &["k"],
            How::Outer
        ),
        Ok(
            json!([{"k": "0", "v": 2.0}, {"k": "a", "v": 1.0}, {"k": "b", "v": null}, {"k": "c", "v": null}])
        )
    );
    assert_eq!(
        join(
            json!([{"k": 2, "x": 1}, {"k": 2, "x": 2}, {"k": 1, "x": 3}]),
            json!([{"k": 2, "v": 1}, {"k": 2, "v": 2}, {"k": 3, "v": 3}]),
            &["k"],
            How::Outer
        ),
        Ok(
            json!([{"k": 1, "x": 3.0, "v": null}, {"k": 2, "x": 1.0, "v": 1.0}, {"k": 2, "x": 1.0, "v": 2.0},
                  {"k": 2, "x": 2.0, "v": 1.0}, {"k": 2, "x": 2.0, "v": 2.0}, {"k": 3, "x": null, "v": 3.0}])
        )
    );
    assert_eq!(
        join(
            json!([{"k": 2, "x": 1}, {"k": 1, "x": 2}, {"k": 2, "x": 3}]),
            json!([{"k": 1, "v": 1}, {"k": 2, "v": 2}, {"k": 5, "v": 5}]),
            &["k"],
            How::Right
        ),
        Ok(
            json!([{"k": 1, "x": 2.0, "v": 1}, {"k": 2, "x": 1.0, "v": 2}, {"k": 2, "x": 3.0, "v": 2},
                  {"k": 5, "x": null, "v": 5}])
        )
    );
}

#[test]
fn join_types() {
    assert_eq!(
        join(
            json!([{"id": 1, "v": 1, "w": true}]),
            json!([{"id": 1, "v": 2}]),
            &["id"],
            How::Left
        ),
        Ok(json!([{"id": 1, "v_x": 1, "w": true, "v_y": 2}]))
    );
    assert_eq!(
        join(
            json!([{"id": 1, "a": 1}, {"id": 2}]),
            json!([{"id": 1, "b": true}]),
            &["id"],
            How::Left
        ),
        Ok(json!([{"id": 1, "a": 1.0, "b": true}, {"id": 2, "a": null, "b": null}]))
    );
    assert_eq!(
        join(
            json!([{"k": 1}, {"k": 2}]),
            json!([{"k": 1, "b": true, "s": "x", "f": 1.5, "i": 3}]),
            &["k"],
            How::Left
        ),
        Ok(
            json!([{"k": 1, "b": true, "s": "x", "f": 1.5, "i": 3.0}, {"k": 2, "b": null, "s": null, "f": null, "i": null}])
        )
    );
    assert_eq!(
        join(
            json!([{"k": 1, "m": 1}, {"k": 2, "m": "x"}, {"k": 3, "m": 1.5}]),
            json!([{"k": 1}]),
            &["k"],
            How::Left
        ),
        Ok(json!([{"k": 1, "m": 1}, {"k": 2, "m": "x"}, {"k": 3, "m": 1.5}]))
    );
    assert_eq!(
        join(
            json!([{"k": 1, "m": 1}, {"k": 2, "m": 2.5}]),
            json!([{"k": 1, "z": 0}]),
            &["k"],
            How::Left
        ),
        Ok(json!([{"k": 1, "m": 1.0, "z": 0.0}, {"k": 2, "m": 2.5, "z": null}]))
    );
    assert_eq!(
        join(
            json!([{"id": 1, "d": {"x": 1}, "l": [1, 2]}]),
            json!([{"id": 1, "e": {"y": 2}}]),
            &["id"],
            How::Left
        ),
        Ok(json!([{"id": 1, "d": {"x": 1}, "l": [1, 2], "e": {"y": 2}}]))
    );
    assert_eq!(
        join(
            json!([{"a": 1, "b": "x", "c": 0}, {"a": 1, "b": "y", "c": 1}]),
            json!([{"b": "y", "a": 1, "d": 5}]),
            &["a", "b"],
            How::Left
        ),
        Ok(json!([{"a": 1, "b": "x", "c": 0, "d": null}, {"a": 1, "b": "y", "c": 1, "d": 5.0}]))
    );
    assert_eq!(
        join(
            json!([{"b": 1}, {"a": 2, "b": 3}]),
            json!([{"b": 1, "c": 0}]),
            &["b"],
            How::Left
        ),
        Ok(json!([{"b": 1, "a": null, "c": 0.0}, {"b": 3, "a": 2.0, "c": null}]))
    );
    // int and float keys match; the left key keeps its type in a left join
    assert_eq!(
        join(
            json!([{"id": 1}]),
            json!([{"id": 1.0, "z": "q"}]),
            &["id"],
            How::Left
        ),
        Ok(json!([{"id": 1, "z": "q"}]))
    );
    assert_eq!(
        join(
            json!([{"k": 1.5}]),
            json!([{"k": 1, "v": 1}]),
            &["k"],
            How::Outer
        ),
        Ok(json!([{"k": 1.0, "v": 1.0}, {"k": 1.5, "v": null}]))
    );
    assert_eq!(
        join(
            json!([{"k": "a"}, {"k": 1}]),
            json!([{"k": "a", "v": 1}]),
            &["k"],
            How::Left
        ),
        Ok(json!([{"k": "a", "v": 1.0}, {"k": 1, "v": null}]))
    );
    assert_eq!(
        join(
            json!([{"k": true}, {"k": false}]),
            json!([{"k": true, "v": 1}]),
            &["k"],
            How::Outer
        ),
        Ok(json!([{"k": false, "v": null}, {"k": true, "v": 1.0}]))
    );
}

#[test]
fn join_errors() {
    assert_eq!(
        join(json!([{"id": 1}]), json!([{"id": "1"}]), &["id"], How::Left),
        Err("join key 'id' holds int64 values in origin_data and str values in other_data; make both sides the same type".to_string())
    );
    assert_eq!(
        join(json!([{"id": 1, "v_x": 1, "v": 2}]), json!([{"id": 1, "v": 2}]), &["id"], How::Left),
        Err("joining gives two columns named 'v_x' (a column shared by both sides is renamed with _x and _y); rename one of them".to_string())
    );
    assert_eq!(
        join(json!([{}]), json!([{"k": 1}]), &["k"], How::Left),
        Err("join key 'k' is not a column of origin_data".to_string())
    );
}

#[test]
fn records_and_fill() {
    let mut f =
        Frame::from_records(&[json!({"a": 1}), json!({"b": "x"})], "data").unwrap_or_default();
    assert_eq!(
        Value::Array(f.records()),
        json!([{"a": 1.0, "b": null}, {"a": null, "b": "x"}])
    );
    f.fill_missing(&json!(0));
    assert_eq!(
        Value::Array(f.records()),
        json!([{"a": 1.0, "b": 0}, {"a": 0.0, "b": "x"}])
    );
    assert!(Frame::from_records(&[json!(1)], "data").is_err());
}

#[test]
fn csv_text_as_pandas_writes_it() {
    // measured: pandas 3.1 DataFrame(rows).to_csv(index=False)
    let rows = [
        json!({"name": "web-1", "cores": 4, "mem": 16.5, "up": true, "note": "a, b", "tags": {"env": "prod"}}),
        json!({"name": "web \"2\"", "cores": 8, "up": false, "note": "line1\nline2"}),
        json!({"name": "큰 서버", "cores": null, "mem": 1}),
    ];
    let f = Frame::from_records(&rows, "data").unwrap_or_default();
    assert_eq!(
        f.to_csv(),
        "name,cores,mem,up,note,tags\nweb-1,4.0,16.5,True,\"a, b\",{'env': 'prod'}\n\
         \"web \"\"2\"\"\",8.0,,False,\"line1\nline2\",\n큰 서버,,1.0,,,\n"
    );
    assert_eq!(Frame::default().to_csv(), "\n");
    let f = Frame::from_records(&[json!({"a": null}), json!({"a": 1})], "data").unwrap_or_default();
    assert_eq!(f.to_csv(), "a\n\"\"\n1.0\n");
}
