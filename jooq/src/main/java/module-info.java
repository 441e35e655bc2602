/**
 * Idem for jOOQ users: statements and guarded inserts from {@code Table}/{@code TableField}
 * metadata, and guarded operations inside a {@code DSLContext} transaction. Start at {@link
 * io.github.idem.jooq.IdemJooq}.
 */
module io.github.idem.jooq {
  requires transitive io.github.idem.toolkit;
  requires transitive org.jooq;
  requires static org.jspecify;

  exports io.github.idem.jooq;
}
