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
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (username, client_addr) {
        username -> Text,
        client_addr -> Text,
        failures -> Integer,
        first_failed_at -> Timestamp,
        last_failed_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
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

diesel::table! {
    records (id) {
        id -> Text,
        version -> BigInt,
        status -> Text,
        dialect -> Text,
        record_type -> Text,
        marc -> Binary,
        original -> Nullable<Binary>,
        source_encoding -> Text,
        title -> Text,
        sort_title -> Text,
        main_author -> Nullable<Text>,
        year -> Nullable<Integer>,
        language -> Nullable<Text>,
        kazakh -> Bool,
        bbk -> Nullable<Text>,
        udc -> Nullable<Text>,
        knowledge_area -> Nullable<Text>,
        warnings -> Integer,
        import_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        area_rules_version -> Text,
    }
}

diesel::table! {
    record_keys (kind, value, record_id) {
        kind -> Text,
        value -> Text,
        record_id -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        at -> Timestamp,
        entity_type -> Text,
        entity_id -> Text,
        op -> Text,
    }
}

diesel::table! {
    document_counters (series) {
        series -> Text,
        last_number -> Integer,
    }
}

diesel::table! {
    accession_acts (id) {
        id -> Text,
        number -> Text,
        branch_id -> Text,
        act_date -> Date,
        source -> Text,
        supplier -> Nullable<Text>,
        document_ref -> Nullable<Text>,
        note -> Nullable<Text>,
        copy_count -> Integer,
        total_minor -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    write_off_acts (id) {
        id -> Text,
        number -> Text,
        branch_id -> Text,
        act_date -> Date,
        reason -> Text,
        note -> Nullable<Text>,
        copy_count -> Integer,
        total_minor -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    copies (id) {
        id -> Text,
        record_id -> Text,
        branch_id -> Text,
        inventory_number -> Text,
        barcode -> Text,
        location -> Nullable<Text>,
        shelf -> Nullable<Text>,
        material_type -> Text,
        status -> Text,
        price_minor -> Nullable<BigInt>,
        acquired_on -> Nullable<Date>,
        acquisition_source -> Nullable<Text>,
        supplier -> Nullable<Text>,
        accession_act_id -> Nullable<Text>,
        write_off_act_id -> Nullable<Text>,
        kazakh -> Bool,
        note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        location_branch_id -> Nullable<Text>,
    }
}

diesel::table! {
    accession_lines (act_id, copy_id) {
        act_id -> Text,
        copy_id -> Text,
        price_minor -> Nullable<BigInt>,
        record_id -> Nullable<Text>,
        material_type -> Nullable<Text>,
        language -> Nullable<Text>,
        kazakh -> Nullable<Bool>,
        knowledge_area -> Nullable<Text>,
    }
}

diesel::table! {
    write_off_lines (act_id, copy_id) {
        act_id -> Text,
        copy_id -> Text,
        price_minor -> Nullable<BigInt>,
        record_id -> Nullable<Text>,
        material_type -> Nullable<Text>,
        language -> Nullable<Text>,
        kazakh -> Nullable<Bool>,
        knowledge_area -> Nullable<Text>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        status -> Text,
        file_name -> Text,
        file_path -> Text,
        file_size -> BigInt,
        format -> Text,
        encoding -> Nullable<Text>,
        on_match -> Text,
        branch_id -> Nullable<Text>,
        next_offset -> BigInt,
        next_index -> BigInt,
        created_count -> BigInt,
        updated_count -> BigInt,
        skipped_count -> BigInt,
        rejected_count -> BigInt,
        copies_count -> BigInt,
        error -> Nullable<Text>,
        error_code -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        on_duplicate -> Text,
        attached_count -> BigInt,
    }
}

diesel::table! {
    import_rejects (import_id, record_index) {
        import_id -> Text,
        record_index -> BigInt,
        byte_offset -> BigInt,
        code -> Text,
        message -> Text,
        control_number -> Nullable<Text>,
    }
}

diesel::table! {
    readers (id) {
        id -> Text,
        card_number -> Text,
        surname -> Text,
        surname_key -> Text,
        first_name -> Text,
        patronymic -> Nullable<Text>,
        birth_date -> Date,
        iin -> Nullable<Text>,
        document -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        category -> Text,
        status -> Text,
        home_branch_id -> Text,
        guarantor_id -> Nullable<Text>,
        guardian -> Nullable<Text>,
        consent_email -> Bool,
        consent_sms -> Bool,
        consent_phone -> Bool,
        keep_history -> Bool,
        registered_on -> Date,
        registered_until -> Date,
        pin_hash -> Nullable<Text>,
        note -> Nullable<Text>,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    loan_rules (id) {
        id -> Text,
        branch_id -> Nullable<Text>,
        category -> Nullable<Text>,
        material_type -> Nullable<Text>,
        loan_days -> Integer,
        max_renewals -> Integer,
        renewal_days -> Integer,
        max_items -> Integer,
        reading_room_only -> Bool,
        holds_allowed -> Bool,
        fine_per_day_minor -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    closed_days (id) {
        id -> Text,
        branch_id -> Nullable<Text>,
        on_date -> Nullable<Date>,
        weekday -> Nullable<Integer>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    loans (id) {
        id -> Text,
        copy_id -> Text,
        reader_id -> Text,
        branch_id -> Text,
        kind -> Text,
        rule_id -> Nullable<Text>,
        issued_at -> Timestamp,
        due_on -> Date,
        renewals -> Integer,
        returned_at -> Nullable<Timestamp>,
        return_branch_id -> Nullable<Text>,
        lost_at -> Nullable<Timestamp>,
        issued_by -> Nullable<Text>,
        fine_minor -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    circulation_events (id) {
        id -> Text,
        at -> Timestamp,
        kind -> Text,
        loan_id -> Nullable<Text>,
        copy_id -> Text,
        record_id -> Text,
        reader_id -> Text,
        branch_id -> Text,
        staff_id -> Nullable<Text>,
        loan_kind -> Nullable<Text>,
        reader_category -> Text,
        age_band -> Text,
        material_type -> Text,
        language -> Nullable<Text>,
        kazakh -> Bool,
        knowledge_area -> Nullable<Text>,
        due_on -> Nullable<Date>,
        overridden -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    holds (id) {
        id -> Text,
        reader_id -> Text,
        record_id -> Text,
        copy_id -> Nullable<Text>,
        pickup_branch_id -> Text,
        status -> Text,
        placed_at -> Timestamp,
        trapped_copy_id -> Nullable<Text>,
        ready_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    reader_blocks (id) {
        id -> Text,
        reader_id -> Text,
        kind -> Text,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        lifted_at -> Nullable<Timestamp>,
        lifted_by -> Nullable<Text>,
        lift_reason -> Nullable<Text>,
    }
}

diesel::table! {
    notices (id) {
        id -> Text,
        reader_id -> Text,
        loan_id -> Nullable<Text>,
        hold_id -> Nullable<Text>,
        kind -> Text,
        level -> Integer,
        channel -> Text,
        dedupe_key -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reader_sessions (id) {
        id -> Text,
        reader_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        client_addr -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    amnesty_campaigns (id) {
        id -> Text,
        name -> Text,
        starts_on -> Date,
        ends_on -> Date,
        created_at -> Timestamp,
        branch_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    copy_replacements (copy_id) {
        copy_id -> Text,
        replaces_copy_id -> Text,
        loan_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    fine_waivers (loan_id) {
        loan_id -> Text,
        amount_minor -> BigInt,
        waived_at -> Timestamp,
        waived_by -> Nullable<Text>,
        campaign_id -> Nullable<Text>,
        reason -> Text,
    }
}

diesel::table! {
    amnesty_clearances (event_id) {
        event_id -> Text,
        campaign_id -> Text,
        days_overdue -> Integer,
        was_lost -> Bool,
        fine_waived_minor -> BigInt,
        blocks_lifted -> Integer,
    }
}

diesel::table! {
    offline_uploads (id) {
        id -> Text,
        branch_id -> Text,
        file_name -> Text,
        format -> Text,
        line_count -> Integer,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offline_lines (upload_id, line_no) {
        upload_id -> Text,
        line_no -> Integer,
        branch_id -> Text,
        raw -> Text,
        at -> Nullable<Timestamp>,
        action -> Nullable<Text>,
        card_number -> Nullable<Text>,
        item_barcode -> Nullable<Text>,
        outcome -> Text,
        code -> Nullable<Text>,
        message -> Nullable<Text>,
        loan_id -> Nullable<Text>,
        processed_at -> Timestamp,
    }
}

diesel::table! {
    record_match_keys (record_id) {
        record_id -> Text,
        keys_version -> Integer,
        keys -> Text,
        title_key -> Nullable<Text>,
        author_key -> Nullable<Text>,
        publisher_key -> Nullable<Text>,
        year -> Nullable<Integer>,
        pages -> Nullable<Integer>,
        edition -> Nullable<Text>,
        volume -> Nullable<Text>,
        language -> Nullable<Text>,
        material -> Text,
    }
}

diesel::table! {
    record_match_blocks (block, record_id) {
        block -> Text,
        record_id -> Text,
    }
}

diesel::table! {
    dedup_scans (id) {
        id -> Text,
        status -> Text,
        requested_by -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        records_count -> BigInt,
        clusters_count -> BigInt,
        pairs_count -> BigInt,
        error_code -> Nullable<Text>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    dedup_scan_clusters (scan_id, seq) {
        scan_id -> Text,
        seq -> Integer,
        size -> Integer,
        best_score -> Double,
        cluster -> Text,
    }
}

diesel::table! {
    dedup_pair_decisions (record_a, record_b) {
        record_a -> Text,
        record_b -> Text,
        decision -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Timestamp,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    record_merges (id) {
        id -> Text,
        survivor_id -> Text,
        merged_id -> Text,
        moved -> Text,
        snapshot -> Text,
        note -> Nullable<Text>,
        merged_by -> Nullable<Text>,
        merged_at -> Timestamp,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Text>,
    }
}

diesel::table! {
    import_duplicates (import_id, record_index) {
        import_id -> Text,
        record_index -> BigInt,
        byte_offset -> BigInt,
        action -> Text,
        record_id -> Nullable<Text>,
        duplicate_of -> Text,
        score -> Double,
        level -> Text,
        copies -> Integer,
        candidates -> Text,
    }
}

diesel::table! {
    record_redirects (old_id) {
        old_id -> Text,
        new_id -> Text,
        merge_id -> Text,
    }
}

diesel::table! {
    record_sources (id) {
        id -> Text,
        record_id -> Text,
        kind -> Text,
        origin -> Text,
        marc -> Binary,
        format -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        merge_id -> Nullable<Text>,
    }
}

diesel::joinable!(staff_users -> branches (home_branch_id));
diesel::joinable!(staff_branches -> staff_users (staff_id));
diesel::joinable!(staff_branches -> branches (branch_id));
diesel::joinable!(sessions -> staff_users (staff_id));
diesel::joinable!(record_keys -> records (record_id));
diesel::joinable!(copies -> records (record_id));
diesel::joinable!(copies -> branches (branch_id));
diesel::joinable!(copies -> accession_acts (accession_act_id));
diesel::joinable!(copies -> write_off_acts (write_off_act_id));
diesel::joinable!(accession_lines -> accession_acts (act_id));
diesel::joinable!(accession_lines -> copies (copy_id));
diesel::joinable!(write_off_lines -> write_off_acts (act_id));
diesel::joinable!(write_off_lines -> copies (copy_id));
diesel::joinable!(import_rejects -> imports (import_id));
diesel::joinable!(readers -> branches (home_branch_id));
diesel::joinable!(loan_rules -> branches (branch_id));
diesel::joinable!(closed_days -> branches (branch_id));
diesel::joinable!(loans -> copies (copy_id));
diesel::joinable!(loans -> readers (reader_id));
diesel::joinable!(loans -> loan_rules (rule_id));
diesel::joinable!(circulation_events -> loans (loan_id));
diesel::joinable!(circulation_events -> copies (copy_id));
diesel::joinable!(circulation_events -> records (record_id));
diesel::joinable!(circulation_events -> readers (reader_id));
diesel::joinable!(holds -> readers (reader_id));
diesel::joinable!(holds -> records (record_id));
diesel::joinable!(holds -> branches (pickup_branch_id));
diesel::joinable!(reader_blocks -> readers (reader_id));
diesel::joinable!(notices -> readers (reader_id));
diesel::joinable!(notices -> loans (loan_id));
diesel::joinable!(notices -> holds (hold_id));
diesel::joinable!(amnesty_campaigns -> branches (branch_id));
diesel::joinable!(fine_waivers -> loans (loan_id));
diesel::joinable!(fine_waivers -> amnesty_campaigns (campaign_id));
diesel::joinable!(amnesty_clearances -> circulation_events (event_id));
diesel::joinable!(amnesty_clearances -> amnesty_campaigns (campaign_id));
diesel::joinable!(reader_sessions -> readers (reader_id));
diesel::joinable!(offline_uploads -> branches (branch_id));
diesel::joinable!(offline_lines -> offline_uploads (upload_id));
diesel::joinable!(offline_lines -> loans (loan_id));
diesel::joinable!(record_match_keys -> records (record_id));
diesel::joinable!(record_match_blocks -> records (record_id));
diesel::joinable!(dedup_scan_clusters -> dedup_scans (scan_id));
diesel::joinable!(import_duplicates -> imports (import_id));
diesel::joinable!(record_redirects -> records (new_id));
diesel::joinable!(record_redirects -> record_merges (merge_id));
diesel::joinable!(record_sources -> records (record_id));
diesel::joinable!(record_sources -> record_merges (merge_id));

diesel::allow_tables_to_appear_in_same_query!(
    branches,
    staff_users,
    staff_branches,
    sessions,
    audit_log,
    records,
    record_keys,
    outbox,
    document_counters,
    accession_acts,
    write_off_acts,
    copies,
    accession_lines,
    write_off_lines,
    imports,
    import_rejects,
    login_failures,
    readers,
    loan_rules,
    closed_days,
    loans,
    circulation_events,
    holds,
    reader_blocks,
    notices,
    amnesty_campaigns,
    copy_replacements,
    fine_waivers,
    amnesty_clearances,
    reader_sessions,
    offline_uploads,
    offline_lines,
    record_match_keys,
    record_match_blocks,
    dedup_scans,
    dedup_scan_clusters,
    dedup_pair_decisions,
    import_duplicates,
    record_merges,
    record_redirects,
    record_sources,
    branch_distances,
    library_requests,
    library_request_titles,
    selections,
    selection_copies,
    selection_reminders,
    transfer_acts,
    transfer_act_lines,
    transfers,
    exchange_events,
    event_attendance,
    reader_activity,
);

diesel::table! {
    branch_distances (from_branch_id, to_branch_id) {
        from_branch_id -> Text,
        to_branch_id -> Text,
        distance -> Integer,
    }
}

diesel::table! {
    library_requests (id) {
        id -> Text,
        number -> Text,
        from_branch_id -> Text,
        to_branch_id -> Text,
        topic -> Nullable<Text>,
        needed_by -> Nullable<Date>,
        status -> Text,
        note -> Nullable<Text>,
        answer_note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    library_request_titles (request_id, record_id) {
        request_id -> Text,
        record_id -> Text,
        copies -> Integer,
    }
}

diesel::table! {
    selections (id) {
        id -> Text,
        number -> Text,
        name -> Text,
        from_branch_id -> Text,
        to_branch_id -> Text,
        request_id -> Nullable<Text>,
        due_on -> Date,
        status -> Text,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
        received_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    selection_copies (selection_id, copy_id) {
        selection_id -> Text,
        copy_id -> Text,
        state -> Text,
        returned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    selection_reminders (selection_id, kind) {
        selection_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
    }
}

diesel::table! {
    transfer_acts (id) {
        id -> Text,
        number -> Text,
        from_branch_id -> Text,
        to_branch_id -> Text,
        act_date -> Date,
        note -> Nullable<Text>,
        copy_count -> Integer,
        total_minor -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    transfer_act_lines (act_id, copy_id) {
        act_id -> Text,
        copy_id -> Text,
        price_minor -> Nullable<BigInt>,
    }
}

diesel::table! {
    transfers (id) {
        id -> Text,
        copy_id -> Text,
        from_branch_id -> Text,
        to_branch_id -> Text,
        reason -> Text,
        hold_id -> Nullable<Text>,
        selection_id -> Nullable<Text>,
        act_id -> Nullable<Text>,
        status -> Text,
        requested_at -> Timestamp,
        requested_by -> Nullable<Text>,
        dispatched_at -> Nullable<Timestamp>,
        dispatched_by -> Nullable<Text>,
        received_at -> Nullable<Timestamp>,
        received_by -> Nullable<Text>,
        closed_note -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    exchange_events (id) {
        id -> Text,
        at -> Timestamp,
        kind -> Text,
        copy_id -> Text,
        record_id -> Text,
        transfer_id -> Nullable<Text>,
        from_branch_id -> Nullable<Text>,
        to_branch_id -> Nullable<Text>,
        branch_id -> Text,
        reason -> Nullable<Text>,
        hold_id -> Nullable<Text>,
        reader_id -> Nullable<Text>,
        selection_id -> Nullable<Text>,
        act_id -> Nullable<Text>,
        staff_id -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(transfers -> copies (copy_id));
diesel::joinable!(selection_copies -> selections (selection_id));
diesel::joinable!(selection_copies -> copies (copy_id));
diesel::joinable!(library_request_titles -> library_requests (request_id));
diesel::joinable!(transfer_act_lines -> transfer_acts (act_id));

diesel::table! {
    event_attendance (id) {
        id -> Text,
        branch_id -> Text,
        held_on -> Date,
        name -> Text,
        attendees -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reader_activity (id) {
        id -> Text,
        at -> Timestamp,
        reader_id -> Text,
        branch_id -> Text,
        kind -> Text,
    }
}
