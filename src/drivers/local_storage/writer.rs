//! One tab writes a store's localStorage items for every tab of the origin.
//!
//! A tab sees another tab's `setItem` only some time later (Chromium hands
//! it over asynchronously), so a tab that reads, checks and writes may
//! check against a past state, even under a lock. So the tab holding the
//! store's Web Lock is its writer: it decides and writes its own commits
//! synchronously, against the items as they are, since no one else writes
//! them. Every other tab decides its commit from what it sees and hands the
//! writer the reads that decision rests on with its writes, over a
//! `BroadcastChannel`; the writer applies them only if those reads still
//! hold, else it answers with the current ones and the tab decides again.
//! When the writer's page goes away (or is frozen), its lock passes to
//! another tab, which takes over.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::Area;
use super::lock;
use super::note::{Answer, Ask, Note};
use super::commit::{self, Plan};
use crate::drivers::tabs::Tabs;
use crate::drivers::timer;
use crate::engine::{Commit, Heard, Hearing, Stored};
use crate::error::StorageError;

/// How long a tab waits for the writer's answer before asking again (the
/// writer answers at once, unless its page is busy or gone).
const PATIENCE_MS: i32 = 1000;
/// How many times a tab asks before giving up on a commit.
const ATTEMPTS: usize = 30;
/// Answers the writer remembers, so that a question asked again (its
/// answer lost or late) is answered, not applied twice.
const REMEMBERED: usize = 256;

/// This tab's part in writing one store.
pub struct Writer {
    area: Area,
    /// Whether this tab holds the store's lock, and so writes.
    leading: Rc<Cell<bool>>,
    /// Lets go of the lock when this store goes away (the page may open the
    /// store again, or another store of the same name may wait for it).
    lock: lock::Held,
    tabs: Option<Tabs>,
    /// This tab, among those asking.
    me: String,
    next_id: Cell<u64>,
    /// Questions waiting for the writer, by id: what resolves each.
    waiting: RefCell<HashMap<u64, Function>>,
    /// The writer's last answers, by asker and id.
    answered: RefCell<VecDeque<(String, u64, Answer)>>,
    /// Items the writer is writing for this tab: their `storage` events
    /// are this tab's own commits coming back, not news.
    echoes: RefCell<HashMap<String, Vec<Option<String>>>>,
    /// How the writer tells its own store what it wrote for other tabs
    /// (which it hears no `storage` event of).
    hearing: RefCell<Option<Hearing>>,
}

impl Writer {
    /// Joins the store's tabs, and asks for the writer's lock; resolves
    /// once it is known whether this tab got it at once.
    pub async fn open(area: Area) -> Result<Rc<Writer>, StorageError> {
        let me = crate::id::RandomIds::new()
            .map(|mut ids| crate::id::IdSource::next_uuid(&mut ids).to_string())
            .map_err(|e| StorageError::Unavailable(format!("this page has no secure random source to tell its tab from others ({e}).")))?;
        let name = format!("boltkv-writer:{}", area.prefix);
        let leading = Rc::new(Cell::new(false));
        let (held, has_locks) = lock::elect(&name, leading.clone()).await;
        if !has_locks {
            // No Web Locks here: the tab writes for itself, as before there
            // was a writer.
            leading.set(true);
        }
        let writer = Rc::new(Writer {
            area,
            leading,
            lock: held,
            tabs: Tabs::open(&name),
            me,
            next_id: Cell::new(0),
            waiting: RefCell::default(),
            answered: RefCell::default(),
            echoes: RefCell::default(),
            hearing: RefCell::default(),
        });
        let weak = Rc::downgrade(&writer);
        if let Some(tabs) = &writer.tabs {
            tabs.listen(move |text| receive(&weak, &text));
        }
        Ok(writer)
    }

    /// Where the writer tells this tab's store what it wrote for others.
    pub fn tell(&self, hearing: Hearing) {
        *self.hearing.borrow_mut() = Some(hearing);
    }

    /// Whether a `storage` event is the writer writing this tab's commit.
    pub fn is_echo(&self, place: &str, text: Option<&str>) -> bool {
        let mut echoes = self.echoes.borrow_mut();
        let Some(expected) = echoes.get_mut(place) else { return false };
        let Some(at) = expected.iter().position(|e| e.as_deref() == text) else { return false };
        expected.remove(at);
        if expected.is_empty() {
            echoes.remove(place);
        }
        true
    }

    /// Commits here when this tab is the writer; else hands the commit to
    /// the writer, deciding again whenever it finds the reads stale.
    pub async fn commit(self: Rc<Self>, mut commit: Commit) -> Result<(), StorageError> {
        if self.leading.get() {
            return commit::local(&self.area, commit);
        }
        let mut stored = commit::read(&self.area, &commit.reads, &commit.lists)?;
        // The items under the prefixes a commit clears, as the writer last
        // told them (else as this tab sees them).
        let mut under: HashMap<String, Vec<String>> = HashMap::new();
        for _ in 0..ATTEMPTS {
            if self.leading.get() {
                return commit::local(&self.area, commit);
            }
            let (cleared, written) = commit::flatten((commit.decide)(stored.clone()));
            let mut clearing = Vec::with_capacity(cleared.len());
            let mut items: BTreeMap<String, Option<String>> = BTreeMap::new();
            for prefix in cleared {
                let keys = match under.get(&prefix) {
                    Some(keys) => keys.clone(),
                    None => commit::item_keys_under(&self.area, &prefix)?,
                };
                items.extend(keys.iter().map(|key| (key.clone(), None)));
                clearing.push((prefix, keys));
            }
            // Writes after the clear win over it, as in one commit.
            items.extend(written);
            let id = self.next_id.get();
            self.next_id.set(id.wrapping_add(1));
            let reads = commit.reads.iter().cloned().zip(stored.items.iter().cloned()).collect();
            let lists = commit.lists.iter().cloned().zip(stored.listed.iter().cloned()).collect();
            let ask = Ask { from: self.me.clone(), id, reads, lists, clearing, items: items.into_iter().collect() };
            self.expect(&ask.items, true);
            let answer = self.ask(&ask).await;
            if !matches!(answer, Some(Answer::Done)) {
                self.expect(&ask.items, false);
            }
            match answer {
                Some(Answer::Done) => return Ok(()),
                Some(Answer::Stale { items, listed, under: now }) => {
                    stored = Stored { items, listed };
                    under = ask.clearing.into_iter().map(|(prefix, _)| prefix).zip(now).collect();
                }
                Some(Answer::Failed { full: true, .. }) => return Err(StorageError::Full),
                Some(Answer::Failed { why, .. }) => return Err(StorageError::Failed(why)),
                // No answer: the writer's page is gone or frozen; its lock
                // passes on, perhaps to this tab.
                None => stored = commit::read(&self.area, &commit.reads, &commit.lists)?,
            }
        }
        Err(StorageError::Unavailable(format!(
            "no tab answered as the writer of localStorage under {:?} in {ATTEMPTS} attempts; another tab of this site may be frozen. Nothing was written.",
            self.area.prefix
        )))
    }

    /// Notes (or forgets) the items the writer is to write for this tab.
    fn expect(&self, items: &[(String, Option<String>)], expecting: bool) {
        let mut echoes = self.echoes.borrow_mut();
        for (key, text) in items {
            let place = self.area.place(key);
            if expecting {
                echoes.entry(place).or_default().push(text.clone());
            } else if let Some(expected) = echoes.get_mut(&place) {
                if let Some(at) = expected.iter().position(|e| e == text) {
                    expected.remove(at);
                }
            }
        }
    }

    /// Asks the writer, the same question again while it stays silent;
    /// `None` when it never answered.
    async fn ask(&self, ask: &Ask) -> Option<Answer> {
        let tabs = self.tabs.as_ref()?;
        let text = serde_json::to_string(&Note::Ask(ask.clone())).ok()?;
        for _ in 0..3 {
            if self.leading.get() {
                return None;
            }
            let answered = Promise::new(&mut |resolve, _| {
                self.waiting.borrow_mut().insert(ask.id, resolve);
            });
            tabs.post(&text);
            let raced = JsFuture::from(Promise::race(&Array::of2(&answered, &timer::after(PATIENCE_MS)))).await;
            self.waiting.borrow_mut().remove(&ask.id);
            if let Some(answer) = raced.ok().and_then(|v| v.as_string()).and_then(|t| Answer::read(&t)) {
                return Some(answer);
            }
        }
        None
    }

    /// The writer's handling of another tab's commit.
    fn serve(&self, ask: Ask) {
        if !self.leading.get() {
            return;
        }
        let remembered = self.answered.borrow().iter().find(|(from, id, _)| *from == ask.from && *id == ask.id).map(|(_, _, a)| a.clone());
        let answer = match remembered {
            Some(answer) => answer,
            None => {
                let answer = self.write_for(&ask);
                let mut answered = self.answered.borrow_mut();
                answered.push_back((ask.from.clone(), ask.id, answer.clone()));
                if answered.len() > REMEMBERED {
                    answered.pop_front();
                }
                answer
            }
        };
        let note = Note::Answer { to: ask.from, id: ask.id, answer };
        if let (Some(tabs), Ok(text)) = (&self.tabs, serde_json::to_string(&note)) {
            tabs.post(&text);
        }
    }

    /// Writes another tab's commit if what it read still holds.
    fn write_for(&self, ask: &Ask) -> Answer {
        let failed = |e: StorageError| match e {
            StorageError::Full => Answer::Failed { why: String::new(), full: true },
            other => Answer::Failed { why: other.to_string(), full: false },
        };
        let (reads, lists): (Vec<String>, Vec<String>) = (ask.reads.iter().map(|(k, _)| k.clone()).collect(), ask.lists.iter().map(|(p, _)| p.clone()).collect());
        let now = match commit::read(&self.area, &reads, &lists) {
            Ok(now) => now,
            Err(e) => return failed(e),
        };
        let sorted = |mut texts: Vec<String>| {
            crate::sort::by(&mut texts, Ord::cmp);
            texts
        };
        let mut under = Vec::with_capacity(ask.clearing.len());
        for (prefix, _) in &ask.clearing {
            match commit::item_keys_under(&self.area, prefix) {
                Ok(keys) => under.push(keys),
                Err(e) => return failed(e),
            }
        }
        let items_hold = ask.reads.iter().map(|(_, text)| text).eq(now.items.iter());
        let lists_hold = ask.lists.iter().map(|(_, texts)| sorted(texts.clone())).eq(now.listed.iter().map(|texts| sorted(texts.clone())));
        let under_holds = ask.clearing.iter().map(|(_, keys)| sorted(keys.clone())).eq(under.iter().map(|keys| sorted(keys.clone())));
        if !items_hold || !lists_hold || !under_holds {
            return Answer::Stale { items: now.items, listed: now.listed, under };
        }
        let written = commit::plan(&self.area, &[], ask.items.clone()).and_then(|plan| commit::apply(&self.area, &plan).map(|()| plan));
        match written {
            Ok(plan) => {
                self.hear(&plan);
                Answer::Done
            }
            Err(e) => failed(e),
        }
    }

    /// Tells this tab's store what the writer wrote for another tab.
    fn hear(&self, plan: &Plan) {
        let Some(hearing) = self.hearing.borrow().clone() else { return };
        let items = plan.iter().filter_map(|(place, text)| Some((place.strip_prefix(self.area.prefix.as_str())?.to_string(), text.clone())));
        hearing(Heard::Items(items.collect()));
    }

    /// Hands the writer's answer to the question waiting for it.
    fn answered(&self, id: u64, text: String) {
        if let Some(resolve) = self.waiting.borrow_mut().remove(&id) {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from(text));
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.lock.release();
    }
}

/// Handles a note from another tab.
fn receive(writer: &Weak<Writer>, text: &str) {
    let Some(writer) = writer.upgrade() else { return };
    match Note::read(text) {
        Some(Note::Ask(ask)) => writer.serve(ask),
        Some(Note::Answer { to, id, answer }) if to == writer.me => {
            if let Ok(text) = serde_json::to_string(&answer) {
                writer.answered(id, text);
            }
        }
        _ => {}
    }
}
