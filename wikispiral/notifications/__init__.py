"""Following and notifications (engine floor): a person follows a page, a coordination group,
a synthesis scope, an action or an event; each floor records what changed through
`change_record()` and registers its kinds of followable things (their titles, addresses and
who may see them); people see their notifications on the site and get an e-mail digest
(immediately, daily or weekly) built by a durable job, with a one-click unsubscribe."""
