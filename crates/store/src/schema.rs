//! Diesel table definitions, matching `migrations/sqlite/` and `migrations/postgres/` (what
//! `diesel print-schema` prints for them).
//! A test in `tests/schema.rs` selects every row struct from a freshly migrated database, so any
//! drift between this file and the SQL fails the tests.

diesel::table! {
    categories (id) {
        id -> Integer,
        class_id -> Integer,
        position -> Integer,
        cat_id -> Text,
        name -> Text,
        first_year -> Nullable<Integer>,
        last_year -> Nullable<Integer>,
    }
}

diesel::table! {
    classes (id) {
        id -> Integer,
        event_id -> Integer,
        class_id -> Text,
        name -> Text,
        long_title -> Nullable<Text>,
    }
}

diesel::table! {
    courses (id) {
        id -> Integer,
        event_id -> Integer,
        course_nr -> Integer,
        nr_gates -> Nullable<Integer>,
        gate_config -> Nullable<Text>,
    }
}

diesel::table! {
    events (id) {
        id -> Integer,
        event_id -> Text,
        main_title -> Text,
        sub_title -> Nullable<Text>,
        location -> Nullable<Text>,
        facility -> Nullable<Text>,
        start_date -> Nullable<Text>,
        end_date -> Nullable<Text>,
        discipline -> Nullable<Text>,
        status -> Text,
        status_changed_at -> Text,
        api_key -> Text,
        key_valid_from -> Nullable<Text>,
        key_valid_until -> Nullable<Text>,
        config -> Text,
        has_xml_data -> Bool,
        image -> Nullable<Binary>,
        image_content_type -> Nullable<Text>,
        created_at -> Text,
        live_epoch -> Text,
        live_seq -> BigInt,
        live_needs_full_seq -> BigInt,
        oncourse_board -> Nullable<Text>,
        oncourse_last -> Nullable<Text>,
        oncourse_due -> Nullable<BigInt>,
    }
}

diesel::table! {
    ingest_log (id) {
        id -> Integer,
        event_id -> Integer,
        kind -> Text,
        outcome -> Text,
        http_status -> Integer,
        bytes -> Integer,
        items -> Integer,
        duration_ms -> Integer,
        error -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::table! {
    participants (id) {
        id -> Integer,
        event_id -> Integer,
        participant_id -> Text,
        class_id -> Nullable<Integer>,
        event_bib -> Nullable<Integer>,
        athlete_id -> Nullable<Text>,
        family_name -> Text,
        given_name -> Nullable<Text>,
        family_name2 -> Nullable<Text>,
        given_name2 -> Nullable<Text>,
        noc -> Nullable<Text>,
        club -> Nullable<Text>,
        cat_id -> Nullable<Text>,
        is_team -> Bool,
        member1 -> Nullable<Text>,
        member2 -> Nullable<Text>,
        member3 -> Nullable<Text>,
    }
}

diesel::table! {
    races (id) {
        id -> Integer,
        event_id -> Integer,
        race_id -> Text,
        class_id -> Nullable<Integer>,
        dis_id -> Nullable<Text>,
        race_type -> Text,
        race_order -> Nullable<Integer>,
        start_time -> Nullable<Text>,
        start_interval -> Nullable<Text>,
        course_nr -> Nullable<Integer>,
        race_status -> Integer,
    }
}

diesel::table! {
    results (id) {
        id -> Integer,
        event_id -> Integer,
        race_id -> Integer,
        participant_id -> Integer,
        start_order -> Nullable<Integer>,
        bib -> Nullable<Integer>,
        start_time -> Nullable<Text>,
        status -> Nullable<Text>,
        dt_start -> Nullable<Text>,
        dt_finish -> Nullable<Text>,
        time -> Nullable<Integer>,
        gates -> Nullable<Text>,
        pen -> Nullable<Integer>,
        total -> Nullable<Integer>,
        rnk -> Nullable<Integer>,
        rnk_order -> Nullable<Integer>,
        cat_rnk -> Nullable<Integer>,
        cat_rnk_order -> Nullable<Integer>,
        total_behind -> Nullable<Text>,
        cat_total_behind -> Nullable<Text>,
        prev_time -> Nullable<Integer>,
        prev_pen -> Nullable<Integer>,
        prev_total -> Nullable<Integer>,
        prev_rnk -> Nullable<Integer>,
        total_total -> Nullable<Integer>,
        better_run_nr -> Nullable<Integer>,
        heat_nr -> Nullable<Integer>,
        round_nr -> Nullable<Integer>,
        qualified -> Nullable<Text>,
        last_source -> Text,
    }
}

diesel::joinable!(categories -> classes (class_id));
diesel::joinable!(classes -> events (event_id));
diesel::joinable!(courses -> events (event_id));
diesel::joinable!(ingest_log -> events (event_id));
diesel::joinable!(participants -> classes (class_id));
diesel::joinable!(participants -> events (event_id));
diesel::joinable!(races -> classes (class_id));
diesel::joinable!(races -> events (event_id));
diesel::joinable!(results -> events (event_id));
diesel::joinable!(results -> participants (participant_id));
diesel::joinable!(results -> races (race_id));

diesel::allow_tables_to_appear_in_same_query!(
    categories,
    classes,
    courses,
    events,
    ingest_log,
    participants,
    races,
    results,
);
