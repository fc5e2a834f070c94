health-link = Partnership health: signals, trends and alerts
health-col-status = Status
nav-health = Health
health-department-title = Partnership health
health-department-intro = Every partnership's signals on one page: which partnership is weakening, and why. Each signal stands on its own with its numbers; there is no single score.
health-partnership-title = Health of { $name }
health-partnership-intro = Partnerships die quietly: attendance thins, a co-chair leaves, promises slip. These signals show it early, each with a suggested next step.
health-computed = Last computed: { $when }.
health-never = not yet
health-refresh = Recompute now
health-counts = Partnerships by overall level
health-open-alerts = Open alerts
health-no-alerts = No open alerts.
health-map-title = Partnership health on the map
health-map-desc = Each partnership's areas coloured by its overall level; the table below has the same information.
health-table-title = Signals by partnership
health-sort-hint = Select a column heading to sort by it (worst first).
health-col-partnership = Partnership
health-col-overall = Overall
health-col-alerts = Open alerts
health-col-trend = Trend (last 12 months)
health-trend-text = Overall level from { $from } to { $to }
health-trend-of = Trend of { $signal }
health-trend-data = Trend data
health-day = Day
health-value = Value
health-signals-title = Signals
health-not-computed = The signals have not been computed yet.
health-alerts-title = Alerts
health-open = open
health-resolved-on = resolved { $when }
health-raised-on = raised { $when }
health-done = What was done
health-action-label = What was done about it
health-action-submit = Record the action
health-action-error = Say what was done (3 to 2,000 characters).
health-suggested = Suggested next step
health-no-data = Not enough data yet.
health-email-subject = { $partnership }: { $signal } needs attention
health-settings-title = Health settings
health-coordinators = Community-policing coordinators
health-coordinators-hint = They receive every partnership's health alerts. When nobody is chosen, the administrators do.
health-thresholds = Thresholds (JSON)
health-thresholds-hint = Fields left out take the default. Ratios are between 0 and 1; durations are in days. Each alert threshold must be stricter than its watch threshold.
health-defaults = Default thresholds
health-save = Save
health-level-no-data = No data
health-level-ok = OK
health-level-watch = Watch
health-level-alert = Alert
health-signal-meetings = Meetings
health-signal-community-attendance = Community attendance
health-signal-attendance-balance = Attendance balance
health-signal-promises-kept = Promises kept
health-signal-decisions = Decisions
health-signal-problems = Problem solving
health-signal-leadership = Leadership
health-signal-representation = Representation
health-signal-churn = Membership churn
health-signal-reports = Community reports
health-signal-trust = Trust in police
health-says-meetings =
    { $held ->
        [one] 1 meeting
       *[other] { $held } meetings
    } held in the last six months; the charter's cadence expects { $expected }.
health-says-community-attendance =
    { $last ->
        [one] 1 resident
       *[other] { $last } residents
    } came to the last meeting; { $declines ->
        [0] community attendance has not fallen.
        [one] community attendance has fallen once (from { $from }).
       *[other] community attendance has fallen { $declines } meetings in a row (from { $from }).
    }
health-says-attendance-balance = Attendance over six months: { $police } police and { $community } community sign-ins.
health-says-promises-kept = Promises due in the last year kept on time: police { $police_kept } of { $police_due }, community { $community_kept } of { $community_due }.
health-says-decisions =
    { $closed ->
        [one] 1 decision
       *[other] { $closed } decisions
    } closed in the last six months.
health-says-decisions-both =
    { $closed ->
        [one] 1 decision
       *[other] { $closed } decisions
    } closed in the last six months; on average { $police_participation } % of police members and { $community_participation } % of community members voted.
health-says-problems =
    { $active ->
        [one] 1 problem
       *[other] { $active } problems
    } on the plan; the longest has been { $longest_days } days in its stage.
health-says-problems-none = No problem is on the plan.
health-says-leadership-vacant =
    { $vacant ->
        [one] 1 co-chair seat vacant
       *[other] { $vacant } co-chair seats vacant
    }, the longest for { $vacant_days } days.
health-says-leadership-term = Both co-chair seats are held; the next term ends in { $term_ends_in_days } days.
health-says-leadership-ok = Both co-chair seats are held.
health-says-representation =
    { $groups ->
        [one] 1 census group has
       *[other] { $groups } census groups have
    } less than half their share of the area among community members.
health-says-churn =
    { $left ->
        [one] 1 member
       *[other] { $left } members
    } left in the last six months; { $active } are active.
health-says-reports =
    { $reports ->
        [one] 1 community report
       *[other] { $reports } community reports
    } in six months waited a median of { $median_days } days for a first response ({ $waiting } still waiting).
health-says-reports-none = No community reports were assigned in the last six months.
health-says-trust = Trust in police in the area: { $mean } out of 100 (95 % CI { $lo }–{ $hi }).
health-says-trust-change = Trust in police in the area: { $mean } out of 100 (95 % CI { $lo }–{ $hi }); the wave before: { $previous }.
health-suggest-schedule-meeting = Schedule the next meeting now, at the charter's cadence.
health-suggest-run-time-poll = Run a time poll for a new meeting time.
health-suggest-invite-side = Invite members of the thinner side, and ask what keeps them away.
health-suggest-review-promises = Review the overdue promises at the next meeting: renew, reassign or drop each, in the open.
health-suggest-open-decision = Put the next question to the members as a decision that needs both sides.
health-suggest-review-problem = Review the problem plan: move the stuck problem on, loop back, close it, or scan for a new one.
health-suggest-start-election = Start an election for the vacant co-chair seat.
health-suggest-plan-handover = Plan the handover: find a successor before the term ends.
health-suggest-outreach = Reach out to the under-represented groups: meet where they are, with interpretation.
health-suggest-exit-conversations = Ask members who left why, and what would bring them back.
health-suggest-triage-reports = Triage the waiting community reports and answer each one.
health-suggest-listening-session = Hold a listening session on trust with residents.
