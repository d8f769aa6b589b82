-- The sample shop of flows/examples/metadata_shop.json (PostgreSQL).
-- Load it into the database of the `shop` connection before running the flow:
--   psql "$SHOP_DATABASE_URL" -f flows/examples/data/shop_schema.sql
-- Names are not schema-qualified: the objects go into the first schema of search_path.
-- order_items is a join table (its primary key is its two foreign keys), so orders and
-- products are related many-to-many through it; user_profiles is one-to-one with users.

CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    full_name VARCHAR(100) NOT NULL,
    bio TEXT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    birth_date DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'People who can sign in and order';
COMMENT ON COLUMN users.email IS '이메일 주소';
COMMENT ON COLUMN users.full_name IS '이름';

CREATE TABLE user_profiles (
    id SERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    avatar_url VARCHAR(500),
    phone VARCHAR(30)
);

CREATE TABLE products (
    id SERIAL PRIMARY KEY,
    sku VARCHAR(40) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    description TEXT,
    price NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
    stock INTEGER NOT NULL DEFAULT 0,
    size VARCHAR(2) CHECK (size IN ('S', 'M', 'L', 'XL')),
    attributes JSONB
);
COMMENT ON TABLE products IS 'What the shop sells';

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status order_status NOT NULL DEFAULT 'pending',
    ordered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    note TEXT
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX orders_pending_idx ON orders (ordered_at) WHERE status = 'pending';

CREATE TABLE order_items (
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    unit_price NUMERIC(10, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
