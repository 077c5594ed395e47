#!/bin/bash
# One pipeline template driving a candidate from application to hire, by hand against a running `npm run dev`
# (needs curl and jq): an admin writes a template with an SLA, a feedback gate and an approval gate, a recruiter
# posts a job on it, a candidate applies, and the gates hold the moves until feedback and an approval are in.
# Run it once per fresh .data/: the accounts it signs up stay.
set -e
A=http://localhost:3000
j() { curl -s -H 'content-type: application/json' "$@"; }
login() { j $A/api/auth/login -d "{\"email\":\"$1\",\"password\":\"demo-password-1\"}" | jq -r .accessToken; }
echo "# 1. a company signs up; its admin adds a recruiter, a hiring manager and an interviewer"
j $A/api/auth/signup -d '{"email":"ada@initech.test","password":"demo-password-1","name":"Ada Admin","companyName":"Initech"}' >/dev/null
ADMIN=$(login ada@initech.test)
for who in 'rob@initech.test Rob recruiter' 'hana@initech.test Hana hiring_manager' 'ivan@initech.test Ivan interviewer'; do
  set -- $who
  j $A/api/users -H "authorization: Bearer $ADMIN" -d "{\"email\":\"$1\",\"password\":\"demo-password-1\",\"name\":\"$2\",\"role\":\"$3\"}" | jq -c '{email, role}'
done
REC=$(login rob@initech.test); HM=$(login hana@initech.test); INT=$(login ivan@initech.test)
INT_ID=$(j $A/api/me -H "authorization: Bearer $INT" | jq -r .id)
echo "# 2. the admin writes a template"
TPL=$(j $A/api/pipeline-templates -H "authorization: Bearer $ADMIN" -d '{
  "name": "Engineering with gates",
  "definition": {"stages": [
    {"key": "applied", "name": "Applied", "kind": "active",
     "onEnter": [{"type": "email", "to": "candidate", "subject": "Thanks for applying, {{candidateName}}", "text": "We got your application for {{jobTitle}}.", "html": "<p>We got your application for {{jobTitle}}.</p>"}],
     "sla": {"remindAfter": "PT5S", "notifyRole": "recruiter"}},
    {"key": "interview", "name": "Interview", "kind": "active", "requireFeedback": {"count": 1},
     "onEnter": [{"type": "email", "to": "hiring_team", "subject": "Interview {{candidateName}}", "text": "{{candidateName}} is in interviews for {{jobTitle}}.", "html": "<p>{{candidateName}}</p>"},
                 {"type": "task", "title": "Interview {{candidateName}}", "assignee": {"role": "interviewer"}, "dueIn": "P2D"}]},
    {"key": "offer", "name": "Offer", "kind": "active", "requireApproval": {"role": "hiring_manager"},
     "onEnter": [{"type": "email", "to": "candidate", "subject": "An offer from {{companyName}}", "text": "We would love you to join as {{jobTitle}}.", "html": "<p>Offer</p>"}]},
    {"key": "hired", "name": "Hired", "kind": "hired",
     "onEnter": [{"type": "email", "to": "candidate", "subject": "Welcome to {{companyName}}", "text": "Welcome aboard.", "html": "<p>Welcome</p>"}]},
    {"key": "rejected", "name": "Rejected", "kind": "rejected"}]}}' | tee /tmp/tpl.json | jq -r .id)
jq -c '{id, name, latestVersion}' /tmp/tpl.json
echo "# 3. the recruiter posts a job on it"
JOB=$(j $A/api/jobs -H "authorization: Bearer $REC" -d "{\"title\":\"Staff Engineer\",\"description\":\"x\",\"location\":\"Remote\",\"status\":\"open\",\"pipelineTemplateId\":\"$TPL\"}" | jq -r .id)
echo "# 4. a candidate applies"
j $A/api/auth/signup -d '{"email":"cleo@example.test","password":"demo-password-1","name":"Cleo Candidate"}' >/dev/null
CAND=$(login cleo@example.test)
APP=$(j $A/api/jobs/$JOB/apply -H "authorization: Bearer $CAND" -d '{}' | tee /tmp/app.json | jq -r .id); jq -c '{stage, status, allowedEvents}' /tmp/app.json
echo "# 5. nobody moves it for 5 s: the SLA reminds the recruiters"; sleep 6
curl -s -H "authorization: Bearer $REC" $A/api/notifications | jq -c '.items[] | .message'
move() { printf '%-32s → ' "$1"; curl -s -o /tmp/r.json -w '%{http_code} ' -H 'content-type: application/json' -H "authorization: Bearer $REC" $A/api/applications/$APP/transitions -d "$1"; jq -c '{stage, detail, missing}' /tmp/r.json; }
echo "# 6. moves and gates"
move '{"event":"ADVANCE"}'
move '{"event":"ADVANCE"}'
printf '%-32s → ' 'reviewer Ivan'; j -o /dev/null -w '%{http_code}\n' $A/api/applications/$APP/reviewers -H "authorization: Bearer $REC" -d "{\"userId\":\"$INT_ID\"}"
printf '%-32s → ' 'Ivan: feedback yes'; j $A/api/applications/$APP/feedback -H "authorization: Bearer $INT" -d '{"rating":"strong_yes","notes":"Great systems design"}' | jq -c '{stage, rating}'
move '{"event":"ADVANCE"}'
printf '%-32s → ' 'Rob approves'; j -o /dev/null -w '%{http_code}\n' $A/api/applications/$APP/approvals -H "authorization: Bearer $REC" -d '{"decision":"approve","comment":"me!"}'
printf '%-32s → ' 'Hana approves'; j $A/api/applications/$APP/approvals -H "authorization: Bearer $HM" -d '{"decision":"approve","comment":"Budget agreed"}' | jq -c '{stage, decision}'
printf '%-32s → ' 'the detail shows the gates'; j $A/api/applications/$APP -H "authorization: Bearer $REC" | jq -c '{pipelineTemplate: .pipelineTemplate.version, gates}'
move '{"event":"ADVANCE"}'
move '{"event":"HIRE"}'
sleep 2
echo "# 7. history"; curl -s -H "authorization: Bearer $REC" $A/api/applications/$APP/history | jq -c '.items[] | [.fromStage, .toStage, .event, .actor.name]'
echo "# 8. mail (dev mailbox)"; curl -s $A/dev/mailbox.json | jq -c '.items[] | select(.subject | test("Cleo|Initech|applying")) | {to: .to[0], subject}'
echo "# 9. Ivan's task"; curl -s -H "authorization: Bearer $INT" "$A/api/tasks?assignee=me" | jq -c '.items[] | {title, status}'
