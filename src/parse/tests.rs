//! Unit tests of the parser (AST, display strings, errors) and the golden cases.
