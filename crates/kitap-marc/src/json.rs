//! MARC-in-JSON (Ross Singer's code4lib format), in and out:
//! `{"leader": "...", "fields": [{"001": "..."}, {"245": {"ind1": "1",
//! "ind2": "0", "subfields": [{"a": "..."}]}}]}`.
//!
//! Input may be one object, an array of objects, or JSON Lines (any
//! sequence of objects and arrays). A record that does not fit the shape is
//! that record's error; broken JSON ends reading with an error at that line.

use std::io::{self, Read, Write};

use serde_json::{Map, Value};

use crate::record::{Field, Record, Subfield};
use crate::xml::{fix_code, fix_indicator, fix_tag, nfc};

/// A record that could not be read; `fatal` ones end the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JSON record {index}: {message}")]
pub struct JsonRecordError {
    /// 0-based index of the record in the input.
    pub index: usize,
    pub message: String,
    /// The JSON itself is broken (or unreadable) here; nothing after it was read.
    pub fatal: bool,
}

/// Reads every record of a MARC-in-JSON input.
pub fn read_json<R: Read>(input: R) -> Vec<Result<Record, JsonRecordError>> {
    let mut out = Vec::new();
    for value in serde_json::Deserializer::from_reader(input).into_iter::<Value>() {
        match value {
            Ok(Value::Array(items)) => {
                for item in &items {
                    let index = out.len();
                    out.push(record_from_json(item).map_err(|m| bad(index, m)));
                }
            }
            Ok(item) => {
                let index = out.len();
                out.push(record_from_json(&item).map_err(|m| bad(index, m)));
            }
            Err(e) => {
                out.push(Err(JsonRecordError {
                    index: out.len(),
                    message: format!("invalid JSON: {e}"),
                    fatal: true,
                }));
                break;
            }
        }
    }
    out
}

fn bad(index: usize, message: String) -> JsonRecordError {
    JsonRecordError {
        index,
        message,
        fatal: false,
    }
}

/// One record from its JSON object.
pub fn record_from_json(value: &Value) -> Result<Record, String> {
    let obj = value.as_object().ok_or("a record must be a JSON object")?;
    let leader = match obj.get("leader") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("\"leader\" must be a string".into()),
    };
    let mut b = crate::xml::RecordBuilder {
        leader,
        ..Default::default()
    };
    let fields = match obj.get("fields") {
        None => &Vec::new(),
        Some(Value::Array(f)) => f,
        Some(_) => return Err("\"fields\" must be an array".into()),
    };
    for (i, f) in fields.iter().enumerate() {
        read_field(f, &mut b).map_err(|e| format!("field {i}: {e}"))?;
    }
    b.finish().map_err(|errors| errors.join("; "))
}

fn read_field(f: &Value, b: &mut crate::xml::RecordBuilder) -> Result<(), String> {
    let obj = f.as_object().ok_or("a field must be an object")?;
    let mut entries = obj.iter();
    let (Some((tag, body)), None) = (entries.next(), entries.next()) else {
        return Err("a field must have exactly one tag".into());
    };
    let tag = fix_tag(Some(tag.as_str()), &mut b.warnings)?;
    match body {
        Value::String(s) => b.fields.push(Field::Control { tag, value: nfc(s) }),
        Value::Object(data) => {
            let field = data_field(tag, data, &mut b.warnings)?;
            b.fields.push(field);
        }
        _ => return Err(format!("field {tag}: must be a string or an object")),
    }
    Ok(())
}

fn data_field(
    tag: String,
    data: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<Field, String> {
    let ind = |k: &str| data.get(k).and_then(Value::as_str);
    let ind1 = fix_indicator(&tag, "ind1", ind("ind1"), warnings);
    let ind2 = fix_indicator(&tag, "ind2", ind("ind2"), warnings);
    let list = match data.get("subfields") {
        None => &Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(format!("field {tag}: \"subfields\" must be an array")),
    };
    let mut subfields = Vec::with_capacity(list.len());
    for sf in list {
        let obj = sf
            .as_object()
            .ok_or(format!("field {tag}: a subfield must be an object"))?;
        for (code, value) in obj {
            let code = fix_code(&tag, Some(code), warnings)?;
            let value = value
                .as_str()
                .ok_or(format!("field {tag}: subfield ${code} is not a string"))?;
            subfields.push(Subfield {
                code,
                value: nfc(value),
            });
        }
    }
    Ok(Field::Data {
        tag,
        ind1,
        ind2,
        subfields,
    })
}

/// The JSON object for one record.
pub fn record_to_json(rec: &Record) -> Value {
    let fields: Vec<Value> = rec.fields.iter().map(field_to_json).collect();
    let mut obj = Map::new();
    obj.insert("leader".into(), Value::String(rec.leader.clone()));
    obj.insert("fields".into(), Value::Array(fields));
    Value::Object(obj)
}

fn field_to_json(f: &Field) -> Value {
    let body = match f {
        Field::Control { value, .. } => Value::String(value.clone()),
        Field::Data {
            ind1,
            ind2,
            subfields,
            ..
        } => {
            let subs = subfields
                .iter()
                .map(|s| single(s.code.to_string(), Value::String(s.value.clone())))
                .collect();
            let mut obj = Map::new();
            obj.insert("ind1".into(), Value::String(ind1.to_string()));
            obj.insert("ind2".into(), Value::String(ind2.to_string()));
            obj.insert("subfields".into(), Value::Array(subs));
            Value::Object(obj)
        }
    };
    single(f.tag().to_string(), body)
}

fn single(key: String, value: Value) -> Value {
    let mut obj = Map::new();
    obj.insert(key, value);
    Value::Object(obj)
}

/// Writes one record as a compact JSON object (no newline: callers choose
/// between an array and JSON Lines).
pub fn write_json<W: Write>(rec: &Record, out: W) -> io::Result<()> {
    serde_json::to_writer(out, &record_to_json(rec)).map_err(io::Error::other)
}
