<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AddKeyDialog</name>
    <message>
        <source>Add an SSH public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My ChipCommons key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the public key (one line from a .pub file) or choose its file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre would not accept this key: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public keys (*.pub);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddOrgDialog</name>
    <message>
        <source>Add an organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the organisation&apos;s name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (Korean)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a short code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A code uses letters, digits, dot, underscore and hyphen.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddPoolDialog</name>
    <message>
        <source>Add a local pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A lease cannot take more seats than the pool has.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the pool a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A name uses letters, digits, dot, underscore and hyphen.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add a user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an organisation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (Korean)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A login starts with a lower-case letter and uses a-z, 0-9, dot, underscore and hyphen (at most 64 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not an e-mail address.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AdminDialogs</name>
    <message>
        <source>The eligibility ends before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligible from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligible until</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AdminPools</name>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported: {added} pool(s) added, {updated} updated; features: {features}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licence file imported</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AdminScreen</name>
    <message>
        <source>Pools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quotas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats and bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Options file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconcile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSH keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionManager</name>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the centre a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give your user name on the centre.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate my key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy my public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register it with this centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adds your public key to your account on the centre you are connected to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My keys on this centre…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Embedded centre (this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} ({url})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New SSH centre…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the centre&apos;s host name or address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A host name uses letters, digits, dots and hyphens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no file at this path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your key: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have no ChipCommons key yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register it with {centre}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace your key?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key exists at {path}. A new key locks you out of centres that know only the old one. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not make a key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your public key is on the clipboard; send it to the centre&apos;s admin:
{key}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registering your key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your key {fingerprint} is registered with {centre}; you can connect with it over SSH.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>My seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My places in queues</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My upcoming bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My running and recent jobs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <source>Signed in as {name} ({login}), {org}. Roles: {roles}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EditPoolDialog</name>
    <message>
        <source>Edit {pool}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{used} seats are in use; the pool cannot shrink below that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bookings need approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Eligibility</name>
    <message>
        <source>This pool is suspended: nobody can check out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The licence is valid until {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation ({org}) is eligible until {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation ({org}) is eligible, with no end date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: your organisation ({org}) is suspended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: you are suspended from the licence pools.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: your account is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: your organisation ({org}) is eligible from {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: your organisation&apos;s ({org}) eligibility ended on {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking your organisation&apos;s eligibility…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre checks your organisation&apos;s eligibility when you confirm.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EligibilityDialog</name>
    <message>
        <source>Eligibility of {org}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The centre did not accept the values</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file could not be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are not allowed to do that</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre does not know you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your account is disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That conflicts with the centre&apos;s current state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No seats are free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation&apos;s quota would be exceeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation is not eligible for this pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A limit would be exceeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It has expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre&apos;s database is unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre could not be reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the centre was lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre did not answer in time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre&apos;s host key is not known yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WARNING: the centre&apos;s host key has changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre refused your key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre does not offer this function</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}: {detail}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HostKey</name>
    <message>
        <source>A centre you have not used before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the first connection to {host}. Its {type} host key has the fingerprint:

{fingerprint}

Compare it with the one your centre&apos;s admin gave you. Trust it and connect?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WARNING: the centre&apos;s identity has changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host key of this centre is not the one you trusted before. Someone may be intercepting the connection, or the centre was reinstalled. ChipCommons will not connect. Ask the centre&apos;s admin for the new fingerprint.

{detail}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>permanent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What it would change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre checks the whole file and imports all of it or nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the centre what this file would change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing would add {created} pool(s) and update {updated}. Nothing has been written yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre would refuse this file ({count} problem(s)); nothing can be imported until it is fixed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{before} → {after}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is {size} bytes; a licence file is at most 4 MB.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobForm</name>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose input files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a whole number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too small.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is {size}; the farm accepts at most {limit} per file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The inputs are {size} in all; the farm accepts at most {limit} per job.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Jobs</name>
    <message>
        <source>New {backend} job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A name for the job (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Submit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SCALE-Sim estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM comparison</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobsTab</name>
    <message>
        <source>New job…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <extracomment>bytes per upload chunk (tests make it small to drop a connection mid-file)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending the job…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending {file}: {percent}%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the centre was lost while sending {file}. Waiting for it to come back; sending will resume where it stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the centre was lost. Waiting for it to come back; the job will be sent once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected again: resuming…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job {job} submitted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending stopped; nothing was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending stopped; discarding the partial upload…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending stopped; job {job} was not submitted and its partial upload was discarded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending stopped; the partial upload could not be discarded: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Keys</name>
    <message>
        <source>Type</source>
        <extracomment>a public key file is one line; anything bigger is not one</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ed25519 (security key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ECDSA (security key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is {size} bytes; a public key file is one short line.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeysPanel</name>
    <message>
        <source>Add a key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key {fingerprint} added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke the key {fingerprint} ({comment}) of {login}? The centre refuses connections with it from now on. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke your key {fingerprint} ({comment})? The centre refuses connections with it from now on; if you connect with this key, you will need another one. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke this key?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key {fingerprint} revoked.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeysTab</name>
    <message>
        <source>All users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Licences</name>
    <message>
        <source>{free} of {seats} free, {queued} queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{free} of {seats} free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{seats} reserved from {start} ({note})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{seats} reserved from {start}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LicencesScreen</name>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Availability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My place in the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next booking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check out…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Join the queue…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Book seats…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend by 1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel booking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(another user)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Holds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until or since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag over a day to book seats of the selected tool for that time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Holders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everyone holding or waiting for {tool}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who waits for {tool}; other people&apos;s names are shown to staff only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Week of {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{reason}

Join the queue? You are notified when a seat is held for you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Join the queue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>ChipCommons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;ChipCommons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connections…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My SSH &amp;keys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to the centre…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>embedded centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to {where}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to {where} as {login}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection to {where} lost; reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{title}: {text}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MyKeysDialog</name>
    <message>
        <source>My SSH keys on {centre}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre lets you connect over SSH with these keys. Add the public half only (the .pub file); your private key never leaves this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <source>A seat is yours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your queued request for {seats} seat(s) of {feature} was granted. It is held for you for a short while.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your booking has started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your booking of {seats} seat(s) of {feature} has started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your booking ends soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your booking of {seats} seat(s) of {feature} ends at {end}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your seat expires soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your seat of {feature} expires soon; renew it to keep it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A job has finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job {job} finished: {state}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notice from the centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre sent a notice ({kind}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OptionsFileTab</name>
    <message>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated from quotas, bookings, suspensions and eligibility. Install it beside the vendor daemon and run lmreread.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the options file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OrgKinds</name>
    <message>
        <source>university</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>startup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>centre</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>company</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OrgsTab</name>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Korean name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligible from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligible until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add organisation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligibility…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspend or resume</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Pim</name>
    <message>
        <source>&quot;{part}&quot; is not rows x columns.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shapes must be positive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give at least one shape, such as 1024x1024.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give at most 64 shapes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PimPhases</name>
    <message>
        <source>host read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>setup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mode toggle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>operand to GRF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>write-back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PimSweepTab</name>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GEMV on the HBM-PIM preset against the host reading the same matrix. Choose a shape in the table to see where the cycles go.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed-up against matrix shape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cycles by phase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host cycles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM cycles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM utilisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shapes (rows x columns)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed-up (host cycles / PIM cycles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cycles by phase: {workload}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PoolsTab</name>
    <message>
        <source>Import a licence file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a local pool…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a FlexLM licence file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licence files (*.lic *.dat *.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Quota</name>
    <message>
        <source>{used} of {limit} seats at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{used:.1f} of {limit:.1f} seat-hours this {period} ({left:.1f} left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{who} ({scope}): {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No quota limits apply to you here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{who} may hold at most {limit} seats at once; {used} are in use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This needs {need:.1f} seat-hours; {who} has {left:.1f} left this {period}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading your quota…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your quota could not be loaded; the centre checks it when you confirm.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QuotaDialog</name>
    <message>
        <source>Set a quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every organisation of a kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a course</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>startup, an organisation code or a course</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say which organisations or course.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: all tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours per period</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>term</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no period</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Period</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a whole number of seats, or leave it empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give seats at once, seat-hours, or both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a number of hours, or leave it empty.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Quotas</name>
    <message>
        <source>every {kind}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>organisation {org}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>course {course}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>term</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no period</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QuotasTab</name>
    <message>
        <source>Applies to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reserved seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a quota…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReconcileTab</name>
    <message>
        <source>Paste the output of lmstat -a here, or load a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconcile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats leased</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used without a lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leased or booked but idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose lmstat output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste or load lmstat output first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{matched} lease(s) match the server. {unleased} seat(s) are used without a lease; {idle} lease(s) and {booked} booking(s) sit idle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>booking</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <source>Filter…</source>
        <extracomment>rows of the filter index built per idle slice a first load of at most this many rows sizes the columns to their contents</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReportsTab</name>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak seats in use and seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denials by reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue waits (minutes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours by weekday and hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue waits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median wait (min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Booked but idle (h)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By organisation, user and course</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The range ends before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>course</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours:.1f} seat-hours on {tools} tools; {denials} denials; {waits} queue waits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>95th percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seat-hours by weekday and hour (latest {count} leases)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the usage report</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Reserve</name>
    <message>
        <source>Book seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking with the centre…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repeat weekly (weeks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most 200 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What it uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligibility</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The booking must end after it starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The booking cannot start in the past.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation is eligible only from {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your organisation is eligible only until {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{seats} seat(s), {count} occurrence(s), {hours:.1f} seat-hours in all.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An admin must approve this booking.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The centre cannot book this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the centre&apos;s check…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This booking does not fit; change the time or seats.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Results</name>
    <message>
        <source>Choose a finished job to see its results.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total cycles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute cycles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute utilisation %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overall utilisation %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Score: {score}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job {job} ({backend}): {outcome}.{score} {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analytical model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cycles per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation per layer (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overall</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cells by type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cells</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM against the host baseline (cycles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed-up</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>student</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>engineer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>instructor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>admin</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScaleSimEstimateTab</name>
    <message>
        <source>weight stationary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output stationary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>input stationary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute cycles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MACs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mapping efficiency %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute utilisation %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute cycles per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation per layer (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topology</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Array (rows × columns)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated compute cycles on a {rows}×{cols} array: {total} (analytical model; SCALE-Sim itself may take minutes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mapping efficiency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute utilisation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SeatRequest</name>
    <message>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligibility</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This pool is suspended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for your quota…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check out {feature}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{free} of {seats} seats are free now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Join the queue for {feature}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{waiting} requests are waiting; you would be number {position}. When seats free up they are held for you and you are notified.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SeatsTab</name>
    <message>
        <source>Lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Booking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release the seat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seats in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bookings waiting for approval</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>States</name>
    <message>
        <source>draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>staged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for seats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accepted, not yet at the scheduler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>granted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lapsed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>compile error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>runtime error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>memory limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>infrastructure error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>{hours} h {minutes:02d} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UsersTab</name>
    <message>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Korean name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable or enable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSH keys…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
