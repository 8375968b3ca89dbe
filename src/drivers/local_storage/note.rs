//! What tabs tell each other about commits over the store's
//! `BroadcastChannel`: written by serde, read by hand (`src/json_read.rs`
//! says why).

use serde::Serialize;

use crate::json_read::{required, unknown, Reader, Result};

/// A message between tabs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Note {
    /// A tab's commit, for the writer.
    Ask(Ask),
    /// The writer's answer to tab `to`'s question `id`.
    Answer { to: String, id: u64, answer: Answer },
}

/// A tab's commit and what its decision rests on.
#[derive(Serialize, Clone)]
pub(super) struct Ask {
    /// The asking tab.
    pub from: String,
    /// The question's number in that tab.
    pub id: u64,
    /// What the tab read at each item key, its decision rests on.
    pub reads: Vec<(String, Option<String>)>,
    /// What it found under each prefix.
    pub lists: Vec<(String, Vec<String>)>,
    /// The items it found under each prefix it clears: its writes remove
    /// exactly those, so that their `storage` events are its own echoes.
    pub clearing: Vec<(String, Vec<String>)>,
    /// Its writes, the final content of each item (`None` removes one).
    pub items: Vec<(String, Option<String>)>,
}

/// The writer's answer to an [`Ask`].
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) enum Answer {
    /// Written.
    Done,
    /// The reads no longer hold; here is what is stored now (and the
    /// items under each prefix the tab clears).
    Stale { items: Vec<Option<String>>, listed: Vec<Vec<String>>, under: Vec<Vec<String>> },
    /// Writing failed; nothing was kept.
    Failed { why: String, full: bool },
}

impl Note {
    /// A note as another tab wrote it; `None` for anything else (a newer or
    /// foreign sender), which the receiver ignores.
    pub fn read(text: &str) -> Option<Note> {
        Reader::document(text, |r| r.tagged(|tag, r| match tag {
            "ask" => Ask::read(r).map(Note::Ask),
            "answer" => {
                let (mut to, mut id, mut answer) = (None, None, None);
                r.object(|member, r| {
                    match member {
                        "to" => to = Some(r.string()?.into_owned()),
                        "id" => id = Some(r.count()?),
                        "answer" => answer = Some(Answer::from(r)?),
                        other => return Err(unknown(other)),
                    }
                    Ok(())
                })?;
                Ok(Note::Answer { to: required(to, "to")?, id: required(id, "id")?, answer: required(answer, "answer")? })
            }
            other => Err(unknown(other)),
        }))
        .ok()
    }
}

impl Ask {
    fn read(r: &mut Reader<'_>) -> Result<Ask> {
        let (mut from, mut id) = (None, None);
        let (mut reads, mut lists, mut clearing, mut items) = (None, None, None, None);
        r.object(|member, r| {
            match member {
                "from" => from = Some(r.string()?.into_owned()),
                "id" => id = Some(r.count()?),
                "reads" => reads = Some(list(r, |r| pair(r, maybe_string))?),
                "lists" => lists = Some(list(r, |r| pair(r, strings))?),
                "clearing" => clearing = Some(list(r, |r| pair(r, strings))?),
                "items" => items = Some(list(r, |r| pair(r, maybe_string))?),
                other => return Err(unknown(other)),
            }
            Ok(())
        })?;
        Ok(Ask {
            from: required(from, "from")?,
            id: required(id, "id")?,
            reads: required(reads, "reads")?,
            lists: required(lists, "lists")?,
            clearing: required(clearing, "clearing")?,
            items: required(items, "items")?,
        })
    }
}

impl Answer {
    /// An answer as the writer wrote it; `None` for anything else.
    pub fn read(text: &str) -> Option<Answer> {
        Reader::document(text, Answer::from).ok()
    }

    fn from(r: &mut Reader<'_>) -> Result<Answer> {
        // A variant without data is its name as a string; one with data an object.
        let text = r.raw()?;
        if text == r#""done""# {
            return Ok(Answer::Done);
        }
        Reader::document(text, |r| r.tagged(|tag, r| match tag {
            "stale" => {
                let (mut items, mut listed, mut under) = (None, None, None);
                r.object(|member, r| {
                    match member {
                        "items" => items = Some(list(r, maybe_string)?),
                        "listed" => listed = Some(list(r, strings)?),
                        "under" => under = Some(list(r, strings)?),
                        other => return Err(unknown(other)),
                    }
                    Ok(())
                })?;
                Ok(Answer::Stale { items: required(items, "items")?, listed: required(listed, "listed")?, under: required(under, "under")? })
            }
            "failed" => {
                let (mut why, mut full) = (None, None);
                r.object(|member, r| {
                    match member {
                        "why" => why = Some(r.string()?.into_owned()),
                        "full" => full = Some(boolean(r)?),
                        other => return Err(unknown(other)),
                    }
                    Ok(())
                })?;
                Ok(Answer::Failed { why: required(why, "why")?, full: required(full, "full")? })
            }
            other => Err(unknown(other)),
        }))
    }
}

fn list<T>(r: &mut Reader<'_>, mut each: impl FnMut(&mut Reader<'_>) -> Result<T>) -> Result<Vec<T>> {
    let mut items = Vec::new();
    r.array(|r| each(r).map(|item| items.push(item)))?;
    Ok(items)
}

/// `[name, <second>]`, as serde writes a pair.
fn pair<T>(r: &mut Reader<'_>, second: impl FnOnce(&mut Reader<'_>) -> Result<T>) -> Result<(String, T)> {
    let (mut name, mut second, mut extra) = (None, Some(second), false);
    let mut found = None;
    r.array(|r| {
        if name.is_none() {
            name = Some(r.string()?.into_owned());
        } else if let Some(read) = second.take() {
            found = Some(read(r)?);
        } else {
            extra = true;
            r.raw()?;
        }
        Ok(())
    })?;
    match (name, found, extra) {
        (Some(name), Some(found), false) => Ok((name, found)),
        _ => Err("a pair has two elements".to_string()),
    }
}

fn boolean(r: &mut Reader<'_>) -> Result<bool> {
    match r.raw()? {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("{other} is not true or false")),
    }
}

fn strings(r: &mut Reader<'_>) -> Result<Vec<String>> {
    list(r, |r| r.string().map(std::borrow::Cow::into_owned))
}

fn maybe_string(r: &mut Reader<'_>) -> Result<Option<String>> {
    if r.null() {
        return Ok(None);
    }
    r.string().map(|s| Some(s.into_owned()))
}

// The drivers build for wasm32 only, where the test runner runs
// `wasm_bindgen_test`s, not plain `#[test]`s.
#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn notes_read_back_as_written() {
        let ask = Ask {
            from: "tab \"1\"".into(),
            id: 7,
            reads: vec![("a".into(), None), ("b".into(), Some("{\"x\":1}".into()))],
            lists: vec![("p/".into(), vec!["p/1".into()])],
            clearing: vec![],
            items: vec![("c".into(), Some("é".into()))],
        };
        let answers = [
            Answer::Done,
            Answer::Stale { items: vec![None, Some("v".into())], listed: vec![vec![]], under: vec![vec!["u".into()]] },
            Answer::Failed { why: "full".into(), full: true },
        ];
        let text = serde_json::to_string(&Note::Ask(ask)).unwrap_or_default();
        let back = Note::read(&text).map(|note| serde_json::to_string(&note).unwrap_or_default());
        assert_eq!(back, Some(text));
        for answer in answers {
            let text = serde_json::to_string(&Note::Answer { to: "t".into(), id: 2, answer: answer.clone() }).unwrap_or_default();
            let back = Note::read(&text).map(|note| serde_json::to_string(&note).unwrap_or_default());
            assert_eq!(back, Some(text));
            let alone = serde_json::to_string(&answer).unwrap_or_default();
            assert_eq!(Answer::read(&alone).map(|a| serde_json::to_string(&a).unwrap_or_default()), Some(alone));
        }
        for foreign in ["", "{}", "\"done\"", r#"{"ask":{}}"#, r#"{"answer":{"to":"t","id":1,"answer":"later"}}"#, r#"{"ask":1,"answer":2}"#] {
            assert!(Note::read(foreign).is_none(), "{foreign}");
        }
    }
}
