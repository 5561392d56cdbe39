"""Job-entry eligibility (准入): for every person and rule, eligible or not, and
each condition met or unmet with its evidence; the gate on position changes;
HR's eligibility register and the 持证上岗 monitor."""
