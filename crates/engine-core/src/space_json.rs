//! The whole space as plain JSON, for the long run: any tool can read it without Automerge.
//! (It is a reading copy: importing goes through the `.linli` file, which keeps the history.)
//! Maps' keys sorted, two spaces of indent; counters and timestamps as numbers, bytes as
//! arrays of numbers.

use automerge::hydrate::Value;
use automerge::{AutoCommit, ROOT, ScalarValue};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// The document as indented JSON, keys sorted.
pub fn to_json(doc: &AutoCommit) -> Result<String, String> {
    use automerge::ReadDoc;
    let tree = doc.hydrate(ROOT, None).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&Json(&tree)).map_err(|_| "the space could not be written as JSON".to_owned())
}

/// A hydrated value, written as JSON.
struct Json<'a>(&'a Value);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Map(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, item) in entries {
                    out.serialize_entry(key.as_str(), &Json(&item.value))?;
                }
                out.end()
            }
            Value::List(list) => {
                let mut out = serializer.serialize_seq(Some(list.len()))?;
                for item in list.iter() {
                    out.serialize_element(&Json(&item.value))?;
                }
                out.end()
            }
            Value::Text(text) => serializer.serialize_str(&text.to_string()),
            Value::Scalar(scalar) => match scalar {
                ScalarValue::Str(s) => serializer.serialize_str(s),
                ScalarValue::Int(n) | ScalarValue::Timestamp(n) => serializer.serialize_i64(*n),
                ScalarValue::Uint(n) => serializer.serialize_u64(*n),
                ScalarValue::F64(n) => serializer.serialize_f64(*n),
                ScalarValue::Counter(c) => serializer.serialize_i64(i64::from(c)),
                ScalarValue::Boolean(b) => serializer.serialize_bool(*b),
                ScalarValue::Bytes(bytes) => serializer.collect_seq(bytes.iter()),
                ScalarValue::Null | ScalarValue::Unknown { .. } => serializer.serialize_unit(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT};

    #[test]
    fn a_document_reads_as_sorted_json() {
        let mut doc = automerge::AutoCommit::new();
        doc.put(ROOT, "name", "鄰里").unwrap();
        doc.put(ROOT, "count", 3_i64).unwrap();
        let list = doc.put_object(ROOT, "a", ObjType::List).unwrap();
        doc.insert(&list, 0, true).unwrap();
        let json = super::to_json(&doc).unwrap();
        assert_eq!(json, "{\n  \"a\": [\n    true\n  ],\n  \"count\": 3,\n  \"name\": \"鄰里\"\n}");
    }
}
