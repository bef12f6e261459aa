//! Where the user is (page, tab, view, selected object) and Back and Forward across those
//! places, as a browser does: the place is recorded after every frame.

use super::HeapsiftApp;
use crate::ui::doc::{DocId, View};

/// What the central area shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Page {
    #[default]
    Snapshot,
    Wizard,
    Growth,
    /// A sampling heap profile.
    Profile,
}

/// Where the user is: the page, the snapshot tab, its view and its selected object.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    pub page: Page,
    pub doc: Option<DocId>,
    pub view: View,
    pub node: Option<crate::model::NodeId>,
}

/// Back and Forward across selections and views, as a browser does.
#[derive(Default)]
pub(crate) struct Nav {
    entries: Vec<Location>,
    pos: usize,
}

const MAX_HISTORY: usize = 500;

impl Nav {
    /// Notes where the user is now; a new place drops the Forward entries.
    pub(super) fn record(&mut self, here: Location) {
        if self.entries.get(self.pos) == Some(&here) {
            return;
        }
        if !self.entries.is_empty() {
            self.entries.truncate(self.pos + 1);
        }
        self.entries.push(here);
        if self.entries.len() > MAX_HISTORY {
            self.entries.remove(0);
        }
        self.pos = self.entries.len() - 1;
    }

    pub(crate) fn can_back(&self) -> bool {
        self.pos > 0
    }

    pub(crate) fn can_forward(&self) -> bool {
        self.pos + 1 < self.entries.len()
    }
}

impl HeapsiftApp {
    /// Where the user is now.
    pub fn location(&self) -> Location {
        match self.docs.get(self.active) {
            Some(d) if self.page == Page::Snapshot => Location {
                page: Page::Snapshot,
                doc: Some(d.id),
                view: d.view,
                node: d.object.as_ref().map(|o| o.node),
            },
            _ => Location {
                page: self.page,
                doc: None,
                view: View::Summary,
                node: None,
            },
        }
    }

    /// Goes back to the previous place (selection, view, tab or page).
    pub fn back(&mut self) {
        while self.nav.can_back() {
            self.nav.pos -= 1;
            if self.go(self.nav.entries[self.nav.pos]) {
                return;
            }
        }
    }

    pub(crate) fn forward(&mut self) {
        while self.nav.can_forward() {
            self.nav.pos += 1;
            if self.go(self.nav.entries[self.nav.pos]) {
                return;
            }
        }
    }

    /// Shows a recorded place; false when it is gone (its tab was closed).
    fn go(&mut self, to: Location) -> bool {
        match to.page {
            Page::Wizard if self.wizard.is_some() => self.page = Page::Wizard,
            Page::Growth if self.growth.is_some() => self.page = Page::Growth,
            Page::Snapshot => {
                let Some(i) = self.docs.iter().position(|d| Some(d.id) == to.doc) else {
                    return false;
                };
                self.page = Page::Snapshot;
                self.active = i;
                let waker = self.waker.clone();
                let d = &mut self.docs[i];
                d.view = to.view;
                match to.node {
                    Some(v) => d.select(v, &waker),
                    None => d.object = None,
                }
            }
            _ => return false,
        }
        true
    }
}
