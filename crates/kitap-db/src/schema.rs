// The one schema for both backends. Only types the MultiBackend supports are
// used (Text, Integer, BigInt, Bool, Timestamp, ...); `tests/schema.rs` checks
// that both migration trees produce exactly these tables and columns.

diesel::table! {
    branches (id) {
        id -> Text,
        code -> Text,
        name_kk -> Text,
        name_ru -> Text,
        kind -> Text,
        address -> Text,
        phone -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        home_branch_id -> Text,
        all_branches -> Bool,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_branches (staff_id, branch_id) {
        staff_id -> Text,
        branch_id -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        staff_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        client_addr -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        branch_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(staff_users -> branches (home_branch_id));
diesel::joinable!(staff_branches -> staff_users (staff_id));
diesel::joinable!(staff_branches -> branches (branch_id));
diesel::joinable!(sessions -> staff_users (staff_id));

diesel::allow_tables_to_appear_in_same_query!(
    branches,
    staff_users,
    staff_branches,
    sessions,
    audit_log,
);
