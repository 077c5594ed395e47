#!/bin/bash
# The walking-skeleton scenario by hand against a running `npm run dev` (needs curl and jq; the Temporal CLI
# for the last step comes from TEMPORAL_CLI or PATH). Run it once per fresh .data/: the accounts it signs up stay.
set -e
A=http://localhost:3000
j() { curl -s -H 'content-type: application/json' "$@"; }
echo "# 1. a company signs up (its admin)"; j $A/api/auth/signup -d '{"email":"boss@globex.test","password":"globex-password","name":"Grace Boss","companyName":"Globex"}' | jq -c '{user: .user.email, role: .user.role, company: .company.name}'
ADMIN=$(j $A/api/auth/login -d '{"email":"boss@globex.test","password":"globex-password"}' | jq -r .accessToken)
echo "# 2. the admin creates a recruiter"; j $A/api/users -H "authorization: Bearer $ADMIN" -d '{"email":"rita@globex.test","password":"recruiter-password","name":"Rita Recruiter","role":"recruiter"}' | jq -c '{email, role, companyId}'
REC=$(j $A/api/auth/login -d '{"email":"rita@globex.test","password":"recruiter-password"}' | jq -r .accessToken)
echo "# 3. the recruiter posts a job"; JOB=$(j $A/api/jobs -H "authorization: Bearer $REC" -d '{"title":"Platform Engineer","description":"Temporal and TypeScript","location":"Remote","status":"open"}' | tee /tmp/job.json | jq -r .id); jq -c '{id, title, status}' /tmp/job.json
echo "# 4. a candidate signs up and applies"; j $A/api/auth/signup -d '{"email":"sam@example.test","password":"candidate-password","name":"Sam Candidate"}' | jq -c '{user: .user.email, role: .user.role}'
CAND=$(j $A/api/auth/login -d '{"email":"sam@example.test","password":"candidate-password"}' | jq -r .accessToken)
APP=$(j $A/api/jobs/$JOB/apply -H "authorization: Bearer $CAND" -d '{"coverLetter":"I love durable execution","phone":"+44 20 7946 0958"}' | tee /tmp/app.json | jq -r .id); jq -c '{id, stage, status, allowedEvents, workflowId}' /tmp/app.json
echo "# 5. the recruiter moves it applied → screening → interview, then rejects it"
for body in '{"event":"ADVANCE"}' '{"event":"MOVE","toStage":"interview"}' '{"event":"HIRE"}' '{"event":"REJECT","reason":"Went with a more senior candidate"}'; do
  printf '%-60s → ' "$body"; curl -s -o /tmp/r.json -w '%{http_code} ' -H 'content-type: application/json' -H "authorization: Bearer $REC" $A/api/applications/$APP/transitions -d "$body"; jq -c '{stage, status, allowedEvents, detail}' /tmp/r.json
done
echo "# 6. history"; curl -s -H "authorization: Bearer $REC" $A/api/applications/$APP/history | jq -c '.items[] | [.fromStage, .toStage, .event, .actor.name, .reason]'
sleep 2
echo "# 7. mail the candidate received (dev mailbox)"; curl -s $A/dev/mailbox.json | jq -c '.items[] | select(.to[0]=="sam@example.test") | {subject, messageId}'
echo "# 8. the workflow, found by its stage search attribute"; "${TEMPORAL_CLI:-temporal}" workflow list --address 127.0.0.1:7233 --query "AtsStage = 'rejected' AND AtsJobId = '$JOB'"
