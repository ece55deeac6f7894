"""When, within a business day, each actor acts.

``env.now`` counts calendar days from the trust effective date; the fraction orders the
day's work so that it follows the contract: instructions value-dated today settle first,
the servicer sweeps yesterday's collections, the custodian reports, the trustee does the
morning's work (payment dates, reserves), purchases run on the fresh balance, obligors
pay during the day, and the trustee closes the day at 24:00.
"""

CUSTODIAN_SETTLE = 0.05     # value-dated instructions (purchases confirmed yesterday)
SERVICER_SWEEP = 0.10       # collections received before today -> trust account
CUSTODIAN_MORNING = 0.15    # statement to the trustee
TRUSTEE_MORNING = 0.20      # issuance, payment dates, accrual periods, reserve
CUSTODIAN_MIDDAY = 0.25     # statement to the servicer (after the trustee's instructions)
BUYER_PAYS = 0.30           # a liquidation buyer's price lands in the trust account
SERVICER_COLLECT = 0.80     # the day's obligor payments land in the JD collection account;
                            # on a business day the servicer then reports its status to the trustee
TRUSTEE_CLOSE = 0.90        # 24:00 figures: pool status, triggers
SETTLE_WITHIN_CLOSE = 0.01  # the custodian executes the close's instructions (wind-up)
DAY_CLOSED = 0.95           # the environment records every balance (the audit snapshot)
