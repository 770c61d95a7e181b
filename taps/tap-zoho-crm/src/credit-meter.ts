/**
 * API credits a call costs, per Zoho's credit table: "Bulk Read Initialize: 50", "Get Field Meta Data: 1",
 * "Get Users: 1", "All other APIs: 1" (https://www.zoho.com/developer/docs/vertical-solutions/api/v2/api-limits.html,
 * the same table as https://www.zoho.com/crm/developer/docs/api/v8/api-limits.html). Credits are counted over a
 * rolling 24-hour window per organization, 5,000 to several million depending on the edition.
 */
export const CREDIT_COST = {
  createBulkReadJob: 50,
  fieldsMetadata: 1,
  users: 1,
  other: 1,
} as const;

/** What a call is, for {@link CREDIT_COST}. */
export type CreditKind = keyof typeof CREDIT_COST;

/** Thrown before a call that would take the run past `max_api_credits`. */
export class CreditBudgetExceeded extends Error {
  override name = 'CreditBudgetExceeded';
}

/** Counts the credits a run spends and refuses calls beyond its budget. */
export class CreditMeter {
  private spentCredits = 0;

  /** @param budget - credits the run may spend; `undefined` for no limit of our own */
  constructor(readonly budget?: number) {}

  /** Credits spent so far. */
  get spent(): number {
    return this.spentCredits;
  }

  /** Whether a call of this kind fits in what is left. */
  canSpend(kind: CreditKind): boolean {
    return this.budget === undefined || this.spentCredits + CREDIT_COST[kind] <= this.budget;
  }

  /**
   * Books a call before it is made.
   * @throws CreditBudgetExceeded when it does not fit
   */
  spend(kind: CreditKind, what: string): void {
    if (!this.canSpend(kind)) {
      throw new CreditBudgetExceeded(
        `${what} would cost ${CREDIT_COST[kind]} API credits; ${this.spentCredits} of the run's ${this.budget} (max_api_credits) are spent`,
      );
    }
    this.spentCredits += CREDIT_COST[kind];
  }
}
