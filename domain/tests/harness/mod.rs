//! The one given / when / then helper every domain test goes through, so the shape of `decide` can
//! change without rewriting the tests.
#![allow(dead_code)]

use std::fmt::Debug;

pub struct Scenario<S, E, C, Err> {
    initial: S,
    apply: fn(S, &E) -> S,
    decide: fn(&S, C) -> Result<Vec<E>, Err>,
    history: Vec<E>,
}

pub struct Outcome<E, Err> {
    result: Result<Vec<E>, Err>,
}

impl<S, E, C, Err> Scenario<S, E, C, Err> {
    pub fn new(initial: S, apply: fn(S, &E) -> S, decide: fn(&S, C) -> Result<Vec<E>, Err>) -> Self {
        Self { initial, apply, decide, history: Vec::new() }
    }

    /// The events already in the stream.
    pub fn given(mut self, history: Vec<E>) -> Self {
        self.history = history;
        self
    }

    /// The command decided against the state those events build.
    pub fn when(self, command: C) -> Outcome<E, Err> {
        let apply = self.apply;
        let state = self.history.iter().fold(self.initial, apply);
        Outcome { result: (self.decide)(&state, command) }
    }
}

impl<E: Debug + PartialEq, Err: Debug + PartialEq> Outcome<E, Err> {
    pub fn then(self, expected: Vec<E>) {
        assert_eq!(self.result, Ok(expected));
    }

    pub fn then_error(self, expected: Err) {
        assert_eq!(self.result, Err(expected));
    }
}
