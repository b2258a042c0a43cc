//! The storage contract on PostgreSQL, each test on its own fresh database.

use meetifyr_store::testing::{Backend, fresh_store};

meetifyr_core::contract_tests!(fresh_store(Backend::Postgres));
