package io.github.idem.examples.boot;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import org.springframework.stereotype.Service;

/** Saves account balances; a stale replay never overwrites a newer version. */
@Service
public class Accounts {
  private final WriteStatement save;

  /**
   * Builds the upsert once, validated against the accounts table.
   *
   * @param idem the auto-configured root
   */
  public Accounts(Idem idem) {
    this.save =
        idem.upsert("accounts")
            .columns("id", "balance", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
  }

  /**
   * Inserts or updates the account unless the stored version is newer.
   *
   * @param id the account
   * @param balance the balance
   * @param version the version of this balance
   * @return what happened to the row
   */
  public Outcome save(long id, long balance, long version) {
    return save.execute(id, balance, version);
  }
}
