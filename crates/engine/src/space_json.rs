//! The whole space as plain JSON, for the long run: any tool can read it without Automerge.
//! (It is a reading copy: importing goes through the `.linli` file, which keeps the history.)

use automerge::hydrate::Value;
use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

/// The document as indented JSON, keys sorted.
pub fn to_json(doc: &AutoCommit) -> Result<String, String> {
    let tree = doc.hydrate(ROOT, None).map_err(|e| e.to_string())?;
    let value = to_js(&tree);
    js_sys::JSON::stringify_with_replacer_and_space(&value, &JsValue::NULL, &JsValue::from_f64(2.0))
        .map(String::from)
        .map_err(|_| "the space could not be written as JSON".to_owned())
}

fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Map(map) => {
            let object = Object::new();
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, item) in entries {
                let _ = Reflect::set(&object, &key.as_str().into(), &to_js(&item.value));
            }
            object.into()
        }
        Value::List(list) => list.iter().map(|item| to_js(&item.value)).collect::<Array>().into(),
        Value::Text(text) => text.to_string().into(),
        Value::Scalar(scalar) => match scalar {
            ScalarValue::Str(s) => s.as_str().into(),
            ScalarValue::Int(n) | ScalarValue::Timestamp(n) => JsValue::from_f64(*n as f64),
            ScalarValue::Uint(n) => JsValue::from_f64(*n as f64),
            ScalarValue::F64(n) => JsValue::from_f64(*n),
            ScalarValue::Counter(c) => JsValue::from_f64(i64::from(c) as f64),
            ScalarValue::Boolean(b) => JsValue::from_bool(*b),
            ScalarValue::Bytes(bytes) => bytes.iter().map(|b| JsValue::from(*b)).collect::<Array>().into(),
            ScalarValue::Null | ScalarValue::Unknown { .. } => JsValue::NULL,
        },
    }
}
