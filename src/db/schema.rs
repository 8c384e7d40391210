// Diesel table definitions, kept by hand in step with `migrations/`.

diesel::table! {
    courts (code) {
        code -> Text,
        name -> Text,
        province -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    persons (id_number) {
        id_number -> Text,
        name -> Text,
        name_folded -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    person_documents (doc_type, doc_number, id_number) {
        id_number -> Text,
        doc_type -> Text,
        doc_number -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listings (id) {
        id -> Uuid,
        court_code -> Text,
        case_number -> Text,
        debtor_kind -> Text,
        debtor_key -> Text,
        debtor_name -> Text,
        name_folded -> Text,
        id_number -> Nullable<Text>,
        credit_code -> Nullable<Text>,
        debtor -> Jsonb,
        associated_persons -> Jsonb,
        filed_on -> Date,
        basis_document_number -> Text,
        basis_issuer -> Text,
        obligation -> Text,
        performance -> Text,
        grounds -> Array<Text>,
        extension_years -> Int4,
        decided_on -> Date,
        grace_until -> Nullable<Date>,
        initiated_by -> Text,
        status -> Text,
        version -> Int4,
        published_at -> Nullable<Timestamptz>,
        expires_on -> Nullable<Date>,
        restriction_id -> Nullable<Uuid>,
        removal -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        decision -> Nullable<Jsonb>,
        served_on -> Nullable<Date>,
        service_method -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> Int8,
        at -> Timestamptz,
        actor_sub -> Text,
        actor_role -> Text,
        actor_court -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_chain_head (id) {
        id -> Int4,
        seq -> Int8,
        hash -> Text,
    }
}

diesel::table! {
    idempotency_keys (sub, key) {
        sub -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Int4,
        response_headers -> Jsonb,
        response_body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    events (seq) {
        seq -> Int8,
        id -> Uuid,
        #[sql_name = "type"]
        event_type -> Text,
        occurred_at -> Timestamptz,
        entity_id -> Uuid,
        items -> Array<Text>,
        data -> Jsonb,
    }
}

diesel::joinable!(listings -> courts (court_code));
diesel::allow_tables_to_appear_in_same_query!(courts, listings);
diesel::allow_tables_to_appear_in_same_query!(listings, restrictions);

diesel::table! {
    restrictions (id) {
        id -> Uuid,
        listing_id -> Nullable<Uuid>,
        court_code -> Text,
        case_number -> Text,
        debtor -> Jsonb,
        associated_persons -> Jsonb,
        items -> Array<Text>,
        issued_on -> Date,
        status -> Text,
        version -> Int4,
        lifted -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        valid_until -> Nullable<Date>,
        signed_by -> Nullable<Text>,
    }
}

diesel::table! {
    restriction_subjects (restriction_id, subject_key, role) {
        restriction_id -> Uuid,
        role -> Text,
        kind -> Text,
        subject_key -> Text,
        name -> Text,
    }
}

diesel::table! {
    releases (id) {
        id -> Uuid,
        restriction_id -> Uuid,
        subject_key -> Text,
        items -> Array<Text>,
        valid_from -> Timestamptz,
        valid_until -> Timestamptz,
        reason -> Text,
        note -> Nullable<Text>,
        status -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(restrictions -> courts (court_code));
diesel::joinable!(restriction_subjects -> restrictions (restriction_id));
diesel::joinable!(releases -> restrictions (restriction_id));
diesel::allow_tables_to_appear_in_same_query!(courts, restrictions, restriction_subjects, releases);

diesel::table! {
    subscribers (id) {
        id -> Uuid,
        name -> Text,
        sector -> Text,
        client_id -> Text,
        secret_hash -> Text,
        enabled -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        scope -> Text,
    }
}

diesel::table! {
    check_requests (id) {
        id -> Int8,
        subscriber_id -> Uuid,
        checked_at -> Timestamptz,
        subject_keys -> Array<Text>,
        decisions -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        subscriber_id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Nullable<Array<Text>>,
        items -> Array<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

// Indicators (migration 000007): maintained by triggers on `listings`, `restrictions` and
// `listing_removals`; read by `db::models::indicators`, never written by the service.
diesel::table! {
    status_counts (entity, court_code, status) {
        entity -> Text,
        court_code -> Text,
        status -> Text,
        n -> Int8,
    }
}

diesel::table! {
    decided_counts (decided_on, court_code) {
        decided_on -> Date,
        court_code -> Text,
        n -> Int8,
    }
}

diesel::table! {
    listing_removals (listing_id) {
        listing_id -> Uuid,
        court_code -> Text,
        reason -> Text,
        removed_on -> Date,
        event_on -> Nullable<Date>,
    }
}

diesel::table! {
    removal_counts (removed_on, court_code, reason) {
        removed_on -> Date,
        court_code -> Text,
        reason -> Text,
        n -> Int8,
        unknown -> Int8,
    }
}

diesel::table! {
    corrections (id) {
        id -> Uuid,
        listing_id -> Uuid,
        court_code -> Text,
        applicant_name -> Text,
        applicant_id_number -> Nullable<Text>,
        applicant_credit_code -> Nullable<Text>,
        grounds -> Text,
        statement -> Text,
        received_on -> Date,
        review_due_on -> Date,
        status -> Text,
        decision -> Nullable<Jsonb>,
        served_on -> Nullable<Date>,
        service_method -> Nullable<Text>,
        reconsideration_deadline -> Nullable<Date>,
        reconsideration_court_code -> Nullable<Text>,
        reconsideration_received_on -> Nullable<Date>,
        reconsideration_statement -> Nullable<Text>,
        reconsideration_due_on -> Nullable<Date>,
        reconsideration_decision -> Nullable<Jsonb>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(corrections -> listings (listing_id));
diesel::allow_tables_to_appear_in_same_query!(corrections, listings);

diesel::table! {
    credit_repairs (id) {
        id -> Uuid,
        listing_id -> Uuid,
        court_code -> Text,
        applicant_name -> Text,
        applicant_id_number -> Nullable<Text>,
        applicant_credit_code -> Nullable<Text>,
        statement -> Text,
        received_on -> Date,
        status -> Text,
        decision -> Nullable<Jsonb>,
        certificate_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    certificates (id) {
        id -> Uuid,
        listing_id -> Uuid,
        credit_repair_id -> Uuid,
        kind -> Text,
        name -> Text,
        id_number_masked -> Nullable<Text>,
        credit_code -> Nullable<Text>,
        court_name -> Text,
        case_number -> Text,
        listed_on -> Date,
        removed_on -> Date,
        reason -> Text,
        issued_at -> Timestamptz,
        jws -> Text,
    }
}

diesel::joinable!(credit_repairs -> listings (listing_id));
diesel::allow_tables_to_appear_in_same_query!(credit_repairs, listings);
