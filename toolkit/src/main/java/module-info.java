/** Idem: database writes that are safe to replay. Start at {@link io.github.idem.Idem}. */
module io.github.idem.toolkit {
  requires transitive io.github.idem.dialects;
  requires transitive java.sql;
  requires static org.jspecify;

  exports io.github.idem;

  uses io.github.idem.AmbientTransactions;
}
