-- Foundation: courts, persons and their documents, listings, the audit trail, idempotency keys, the event outbox.

CREATE TABLE courts (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    province    text NOT NULL,
    level       text NOT NULL CHECK (level IN ('supreme', 'high', 'intermediate', 'basic', 'special')),
    parent_code text REFERENCES courts (code),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courts_parent_idx ON courts (parent_code);

INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('最高法', '最高人民法院', '全国', 'supreme', NULL);
INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('京', '北京市高级人民法院', '北京市', 'high', '最高法'),
    ('津', '天津市高级人民法院', '天津市', 'high', '最高法'),
    ('冀', '河北省高级人民法院', '河北省', 'high', '最高法'),
    ('晋', '山西省高级人民法院', '山西省', 'high', '最高法'),
    ('内', '内蒙古自治区高级人民法院', '内蒙古自治区', 'high', '最高法'),
    ('辽', '辽宁省高级人民法院', '辽宁省', 'high', '最高法'),
    ('吉', '吉林省高级人民法院', '吉林省', 'high', '最高法'),
    ('黑', '黑龙江省高级人民法院', '黑龙江省', 'high', '最高法'),
    ('沪', '上海市高级人民法院', '上海市', 'high', '最高法'),
    ('苏', '江苏省高级人民法院', '江苏省', 'high', '最高法'),
    ('浙', '浙江省高级人民法院', '浙江省', 'high', '最高法'),
    ('皖', '安徽省高级人民法院', '安徽省', 'high', '最高法'),
    ('闽', '福建省高级人民法院', '福建省', 'high', '最高法'),
    ('赣', '江西省高级人民法院', '江西省', 'high', '最高法'),
    ('鲁', '山东省高级人民法院', '山东省', 'high', '最高法'),
    ('豫', '河南省高级人民法院', '河南省', 'high', '最高法'),
    ('鄂', '湖北省高级人民法院', '湖北省', 'high', '最高法'),
    ('湘', '湖南省高级人民法院', '湖南省', 'high', '最高法'),
    ('粤', '广东省高级人民法院', '广东省', 'high', '最高法'),
    ('桂', '广西壮族自治区高级人民法院', '广西壮族自治区', 'high', '最高法'),
    ('琼', '海南省高级人民法院', '海南省', 'high', '最高法'),
    ('渝', '重庆市高级人民法院', '重庆市', 'high', '最高法'),
    ('川', '四川省高级人民法院', '四川省', 'high', '最高法'),
    ('黔', '贵州省高级人民法院', '贵州省', 'high', '最高法'),
    ('云', '云南省高级人民法院', '云南省', 'high', '最高法'),
    ('藏', '西藏自治区高级人民法院', '西藏自治区', 'high', '最高法'),
    ('陕', '陕西省高级人民法院', '陕西省', 'high', '最高法'),
    ('甘', '甘肃省高级人民法院', '甘肃省', 'high', '最高法'),
    ('青', '青海省高级人民法院', '青海省', 'high', '最高法'),
    ('宁', '宁夏回族自治区高级人民法院', '宁夏回族自治区', 'high', '最高法'),
    ('新', '新疆维吾尔自治区高级人民法院', '新疆维吾尔自治区', 'high', '最高法'),
    ('军', '中国人民解放军军事法院', '中国人民解放军', 'high', '最高法'),
    ('兵', '新疆维吾尔自治区高级人民法院生产建设兵团分院', '新疆生产建设兵团', 'high', '最高法');

-- Natural persons named by any listing (debtor, legal representative, associated person), keyed by the
-- normalised 18-character ID number (I1), and their travel documents (checked by carriers later).
CREATE TABLE persons (
    id_number   text PRIMARY KEY,
    name        text NOT NULL,
    name_folded text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE person_documents (
    id_number  text NOT NULL REFERENCES persons (id_number),
    doc_type   text NOT NULL,
    doc_number text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doc_type, doc_number, id_number)
);
CREATE INDEX person_documents_person_idx ON person_documents (id_number);

CREATE TABLE listings (
    id                    uuid PRIMARY KEY,
    court_code            text NOT NULL REFERENCES courts (code),
    case_number           text NOT NULL,
    debtor_kind           text NOT NULL CHECK (debtor_kind IN ('person', 'organization')),
    -- the identity used to find the same debtor again: the ID number, or the 9-character organisation
    -- code inside a credit code (so the legacy code and the USCC are the same debtor, I2)
    debtor_key            text NOT NULL,
    debtor_name           text NOT NULL,
    name_folded           text NOT NULL,
    id_number             text,
    credit_code           text,
    debtor                jsonb NOT NULL,
    associated_persons    jsonb NOT NULL DEFAULT '[]',
    filed_on              date NOT NULL,
    basis_document_number text NOT NULL,
    basis_issuer          text NOT NULL,
    obligation            text NOT NULL,
    performance           text NOT NULL CHECK (performance IN ('none', 'partial')),
    grounds               text[] NOT NULL,
    extension_years       integer NOT NULL DEFAULT 0 CHECK (extension_years BETWEEN 0 AND 3),
    decided_on            date NOT NULL,
    grace_until           date,
    initiated_by          text NOT NULL CHECK (initiated_by IN ('court', 'creditor_application')),
    status                text NOT NULL CHECK (status IN ('pending', 'active', 'removed', 'revoked', 'expired')),
    version               integer NOT NULL DEFAULT 1,
    published_at          timestamptz,
    expires_on            date,
    restriction_id        uuid,
    removal               jsonb,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
-- 409 listing_exists: one active or pending listing per debtor and case.
CREATE UNIQUE INDEX listings_open_debtor_case_uidx ON listings (debtor_key, case_number)
    WHERE status IN ('pending', 'active');
CREATE INDEX listings_public_name_idx ON listings (name_folded) WHERE status = 'active';
CREATE INDEX listings_debtor_key_idx ON listings (debtor_key);
CREATE INDEX listings_case_number_idx ON listings (case_number);
CREATE INDEX listings_court_status_idx ON listings (court_code, status, id);
CREATE INDEX listings_pending_due_idx ON listings (grace_until) WHERE status = 'pending';
CREATE INDEX listings_expiry_due_idx ON listings (expires_on) WHERE status = 'active' AND expires_on IS NOT NULL;

-- The audit trail: append-only, chained by hash (each row's hash covers the previous row's hash).
-- `seq` is assigned under the lock of `audit_chain_head`, so it has no gaps: a removed row shows.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_sub   text NOT NULL,
    actor_role  text NOT NULL,
    actor_court text,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb,
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, seq);

CREATE TABLE audit_chain_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Idempotency keys, scoped to the caller (`sub`); written in the same transaction as the change they
-- answer, so a concurrent duplicate waits on the unique key and then replays the stored response.
CREATE TABLE idempotency_keys (
    sub              text NOT NULL,
    key              text NOT NULL,
    request_hash     text NOT NULL,
    response_status  integer NOT NULL,
    response_headers jsonb NOT NULL,
    response_body    jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sub, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The outbox: every change writes its event here in the same transaction as the change.
-- `txid` lets the feed build gap-free cursors (a reader only passes events of committed transactions).
CREATE TABLE events (
    seq         bigserial PRIMARY KEY,
    id          uuid NOT NULL UNIQUE,
    type        text NOT NULL,
    occurred_at timestamptz NOT NULL,
    entity_id   uuid NOT NULL,
    items       text[] NOT NULL DEFAULT '{}',
    data        jsonb NOT NULL,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_entity_idx ON events (entity_id, seq);
