//! The two migration trees stay mirrored and both produce `schema.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kitap_db::admin::ColumnInfo;
use kitap_db::MIGRATION_DIRS;
use kitap_tests::{both_databases, Backend};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn migration_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_trees_have_the_same_migrations_each_with_up_and_down() {
    let [postgres, sqlite] = MIGRATION_DIRS.map(|dir| workspace().join(dir));
    let names = migration_names(&postgres);
    assert!(!names.is_empty());
    assert_eq!(
        names,
        migration_names(&sqlite),
        "migration names differ between the trees"
    );
    for tree in [&postgres, &sqlite] {
        for name in &names {
            for file in ["up.sql", "down.sql"] {
                let path = tree.join(name).join(file);
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(
                    !text.trim().is_empty(),
                    "{} is missing or empty",
                    path.display()
                );
            }
        }
    }
}

/// table -> column -> (diesel type, nullable), read from schema.rs itself.
type Declared = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn declared_schema() -> Declared {
    let text = std::fs::read_to_string(workspace().join("crates/kitap-db/src/schema.rs")).unwrap();
    let mut tables = Declared::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(open) = line.strip_suffix('{').filter(|l| l.contains('(')) {
            let name = open.split('(').next().unwrap().trim().to_owned();
            tables.insert(name.clone(), BTreeMap::new());
            current = Some(name);
        } else if line == "}" {
            current = None;
        } else if let (Some(table), Some((column, ty))) = (&current, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            tables
                .get_mut(table)
                .unwrap()
                .insert(column.trim().to_owned(), (ty.to_owned(), nullable));
        }
    }
    tables
}

/// Whether a database's own type name is right for a diesel type. PostgreSQL
/// must match exactly; SQLite only by affinity family (all integers are INTEGER).
fn type_fits(backend: Backend, diesel: &str, actual: &str) -> bool {
    let actual = actual.to_ascii_lowercase();
    match (backend, diesel) {
        (Backend::Postgres, "Text") => actual == "text",
        (Backend::Postgres, "Integer") => actual == "integer",
        (Backend::Postgres, "BigInt") => actual == "bigint",
        (Backend::Postgres, "Bool") => actual == "boolean",
        (Backend::Postgres, "Timestamp") => actual == "timestamp without time zone",
        (Backend::Postgres, "Binary") => actual == "bytea",
        (Backend::Postgres, "Date") => actual == "date",
        (Backend::Postgres, "Double") => actual == "double precision",
        (Backend::Sqlite, "Text") => actual == "text",
        (Backend::Sqlite, "Integer" | "BigInt") => actual == "integer" || actual == "bigint",
        (Backend::Sqlite, "Bool") => actual == "boolean",
        (Backend::Sqlite, "Timestamp") => actual == "timestamp",
        (Backend::Sqlite, "Binary") => actual == "blob",
        (Backend::Sqlite, "Date") => actual == "date",
        (Backend::Sqlite, "Double") => actual == "double" || actual == "real",
        _ => false,
    }
}

fn assert_matches_schema_rs(backend: Backend, columns: &[ColumnInfo]) {
    let declared = declared_schema();
    let mut actual: BTreeMap<String, BTreeMap<String, &ColumnInfo>> = BTreeMap::new();
    for column in columns {
        actual
            .entry(column.table_name.clone())
            .or_default()
            .insert(column.column_name.clone(), column);
    }
    assert_eq!(
        declared.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "{backend:?}: tables differ from schema.rs"
    );
    for (table, declared_columns) in &declared {
        let actual_columns = &actual[table];
        assert_eq!(
            declared_columns.keys().collect::<Vec<_>>(),
            actual_columns.keys().collect::<Vec<_>>(),
            "{backend:?}: columns of {table} differ from schema.rs"
        );
        for (name, (ty, nullable)) in declared_columns {
            let column = actual_columns[name];
            assert!(
                type_fits(backend, ty, &column.data_type),
                "{backend:?}: {table}.{name} is {} in the database, {ty} in schema.rs",
                column.data_type
            );
            assert_eq!(
                !column.not_null, *nullable,
                "{backend:?}: nullability of {table}.{name}"
            );
        }
    }
}

both_databases! {
    fn the_migrated_schema_is_schema_rs(db: TestDb) {
        let handle = db.migrated();
        assert_matches_schema_rs(db.backend, &handle.introspect_columns().unwrap());
        assert_eq!(handle.pending_migrations().unwrap(), 0);
        assert_eq!(handle.known_migrations().unwrap().len(), migration_names(&workspace().join(MIGRATION_DIRS[0])).len());
    }

    fn every_down_migration_works(db: TestDb) {
        let handle = db.migrated();
        let reverted = handle.revert_all_migrations().unwrap();
        assert_eq!(reverted, handle.known_migrations().unwrap().len());
        assert!(handle.introspect_columns().unwrap().is_empty(), "tables left after every down.sql");
        handle.migrate().unwrap();
        assert_matches_schema_rs(db.backend, &handle.introspect_columns().unwrap());
    }

    fn migrating_twice_is_harmless(db: TestDb) {
        let handle = db.migrated();
        assert!(handle.migrate().unwrap().is_empty());
    }
}

#[test]
fn unknown_database_schemes_are_refused() {
    let err = kitap_db::DbUrl::parse("mysql://root@localhost/kitap").unwrap_err();
    assert!(err.to_string().contains("unsupported database url scheme"));
}

/// Indexes, UNIQUE, primary and foreign keys (with ON DELETE) and the CHECK
/// count per table: the invariants the schema holds must be the same in both
/// trees, not only the columns.
#[test]
fn both_backends_hold_the_same_constraints_and_indexes() {
    let sqlite = kitap_tests::TestDb::new(Backend::Sqlite).unwrap();
    let Some(postgres) = kitap_tests::TestDb::new(Backend::Postgres) else {
        return;
    };
    let on_sqlite = sqlite.migrated().introspect_constraints().unwrap();
    let on_postgres = postgres.migrated().introspect_constraints().unwrap();
    assert!(
        on_sqlite.iter().any(|l| l.starts_with("foreign key"))
            && on_sqlite.iter().any(|l| l.starts_with("unique index"))
            && on_sqlite.iter().any(|l| l.starts_with("check constraints")),
        "introspection found too little: {on_sqlite:#?}"
    );
    let only_sqlite: Vec<_> = on_sqlite
        .iter()
        .filter(|l| !on_postgres.contains(l))
        .collect();
    let only_postgres: Vec<_> = on_postgres
        .iter()
        .filter(|l| !on_sqlite.contains(l))
        .collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:#?}\nonly on PostgreSQL: {only_postgres:#?}"
    );
}
