//! Text to syntax tree, and back (the formatter).

pub mod ast;
pub mod expected;
pub mod format;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod span;
