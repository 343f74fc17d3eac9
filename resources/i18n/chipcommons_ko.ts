<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AddKeyDialog</name>
    <message>
        <source>Add an SSH public key</source>
        <translation>SSH 공개 키 추가</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>공개 키</translation>
    </message>
    <message>
        <source>From a file…</source>
        <translation>파일에서…</translation>
    </message>
    <message>
        <source>My ChipCommons key</source>
        <translation>내 ChipCommons 키</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>지문</translation>
    </message>
    <message>
        <source>Paste the public key (one line from a .pub file) or choose its file.</source>
        <translation>공개 키(.pub 파일의 한 줄)를 붙여 넣거나 파일을 고르세요.</translation>
    </message>
    <message>
        <source>The centre would not accept this key: {reason}</source>
        <translation>센터가 이 키를 받지 않습니다: {reason}</translation>
    </message>
    <message>
        <source>Choose a public key</source>
        <translation>공개 키 선택</translation>
    </message>
    <message>
        <source>Public keys (*.pub);;All files (*)</source>
        <translation>공개 키 (*.pub);;모든 파일 (*)</translation>
    </message>
</context>
<context>
    <name>AddOrgDialog</name>
    <message>
        <source>Add an organisation</source>
        <translation>기관 추가</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>코드</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>이름(영문)</translation>
    </message>
    <message>
        <source>Give the organisation&apos;s name.</source>
        <translation>기관 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>Name (Korean)</source>
        <translation>이름(한글)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Give a short code.</source>
        <translation>짧은 코드를 입력하세요.</translation>
    </message>
    <message>
        <source>A code uses letters, digits, dot, underscore and hyphen.</source>
        <translation>코드는 영문자, 숫자, 마침표, 밑줄, 하이픈만 쓸 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>AddPoolDialog</name>
    <message>
        <source>Add a local pool</source>
        <translation>로컬 풀 추가</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation>대여당 좌석</translation>
    </message>
    <message>
        <source>A lease cannot take more seats than the pool has.</source>
        <translation>한 번의 대여가 풀의 좌석 수보다 많을 수 없습니다.</translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation>대여당 시간</translation>
    </message>
    <message>
        <source>Give the pool a name.</source>
        <translation>풀 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>A name uses letters, digits, dot, underscore and hyphen.</source>
        <translation>이름에는 영문자, 숫자, 마침표, 밑줄, 하이픈만 쓸 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add a user</source>
        <translation>사용자 추가</translation>
    </message>
    <message>
        <source>Login</source>
        <translation>로그인 ID</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>Choose an organisation.</source>
        <translation>기관을 선택하세요.</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>역할</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>이름(영문)</translation>
    </message>
    <message>
        <source>Name (Korean)</source>
        <translation>이름(한글)</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>이메일</translation>
    </message>
    <message>
        <source>Give a login.</source>
        <translation>로그인 ID를 입력하세요.</translation>
    </message>
    <message>
        <source>A login starts with a lower-case letter and uses a-z, 0-9, dot, underscore and hyphen (at most 64 characters).</source>
        <translation>로그인 ID는 영문 소문자로 시작하며 a-z, 0-9, 마침표, 밑줄, 하이픈만 쓸 수 있습니다(최대 64자).</translation>
    </message>
    <message>
        <source>Choose at least one role.</source>
        <translation>역할을 하나 이상 선택하세요.</translation>
    </message>
    <message>
        <source>This is not an e-mail address.</source>
        <translation>올바른 이메일 주소가 아닙니다.</translation>
    </message>
</context>
<context>
    <name>AdminDialogs</name>
    <message>
        <source>The eligibility ends before it starts.</source>
        <translation>이용 자격 종료일이 시작일보다 빠릅니다.</translation>
    </message>
    <message>
        <source>Eligible from</source>
        <translation>자격 시작일</translation>
    </message>
    <message>
        <source>Eligible until</source>
        <translation>자격 종료일</translation>
    </message>
</context>
<context>
    <name>AdminPools</name>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>공급사</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>서버</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>사용 중</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>만료일</translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation>대여당 좌석</translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation>대여당 시간</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>승인</translation>
    </message>
    <message>
        <source>needed</source>
        <translation>필요</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>suspended</source>
        <translation>정지됨</translation>
    </message>
    <message>
        <source>active</source>
        <translation>활성</translation>
    </message>
    <message>
        <source>Imported: {added} pool(s) added, {updated} updated; features: {features}.</source>
        <translation>가져오기 완료: 풀 {added}개 추가, {updated}개 갱신, 기능: {features}.</translation>
    </message>
    <message>
        <source>Licence file imported</source>
        <translation>라이선스 파일을 가져왔습니다</translation>
    </message>
</context>
<context>
    <name>AdminScreen</name>
    <message>
        <source>Pools</source>
        <translation>풀</translation>
    </message>
    <message>
        <source>Quotas</source>
        <translation>할당량</translation>
    </message>
    <message>
        <source>Seats and bookings</source>
        <translation>좌석과 예약</translation>
    </message>
    <message>
        <source>Usage reports</source>
        <translation>사용 보고서</translation>
    </message>
    <message>
        <source>Options file</source>
        <translation>옵션 파일</translation>
    </message>
    <message>
        <source>Reconcile</source>
        <translation>대조</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Organisations</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>SSH keys</source>
        <translation>SSH 키</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>감사 기록</translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <source>When</source>
        <translation>시각</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>작업</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>대상</translation>
    </message>
    <message>
        <source>After</source>
        <translation>변경 후</translation>
    </message>
</context>
<context>
    <name>ConnectionManager</name>
    <message>
        <source>Connections</source>
        <translation>연결</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Give the centre a name.</source>
        <translation>센터 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>호스트</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Give your user name on the centre.</source>
        <translation>센터에서 쓰는 사용자 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>개인 키</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Generate my key</source>
        <translation>내 키 생성</translation>
    </message>
    <message>
        <source>Copy my public key</source>
        <translation>내 공개 키 복사</translation>
    </message>
    <message>
        <source>Register it with this centre</source>
        <translation>이 센터에 등록</translation>
    </message>
    <message>
        <source>Adds your public key to your account on the centre you are connected to</source>
        <translation>연결된 센터의 내 계정에 공개 키를 추가합니다</translation>
    </message>
    <message>
        <source>My keys on this centre…</source>
        <translation>이 센터의 내 키…</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>연결</translation>
    </message>
    <message>
        <source>Embedded centre (this computer)</source>
        <translation>내장 센터(이 컴퓨터)</translation>
    </message>
    <message>
        <source>{name} ({url})</source>
        <translation>{name} ({url})</translation>
    </message>
    <message>
        <source>New SSH centre…</source>
        <translation>새 SSH 센터…</translation>
    </message>
    <message>
        <source>Give the centre&apos;s host name or address.</source>
        <translation>센터의 호스트 이름이나 주소를 입력하세요.</translation>
    </message>
    <message>
        <source>A host name uses letters, digits, dots and hyphens.</source>
        <translation>호스트 이름에는 영문자, 숫자, 마침표, 하이픈만 쓸 수 있습니다.</translation>
    </message>
    <message>
        <source>There is no file at this path.</source>
        <translation>이 경로에 파일이 없습니다.</translation>
    </message>
    <message>
        <source>Choose a private key</source>
        <translation>개인 키 선택</translation>
    </message>
    <message>
        <source>Your key: {path}</source>
        <translation>내 키: {path}</translation>
    </message>
    <message>
        <source>You have no ChipCommons key yet.</source>
        <translation>아직 ChipCommons 키가 없습니다.</translation>
    </message>
    <message>
        <source>Register it with {centre}</source>
        <translation>{centre}에 등록</translation>
    </message>
    <message>
        <source>this centre</source>
        <translation>이 센터</translation>
    </message>
    <message>
        <source>Replace your key?</source>
        <translation>키를 바꿀까요?</translation>
    </message>
    <message>
        <source>A key exists at {path}. A new key locks you out of centres that know only the old one. Replace it?</source>
        <translation>{path}에 키가 이미 있습니다. 새 키를 만들면 이전 키만 등록된 센터에는 접속할 수 없게 됩니다. 바꿀까요?</translation>
    </message>
    <message>
        <source>Could not make a key</source>
        <translation>키를 만들지 못했습니다</translation>
    </message>
    <message>
        <source>No key</source>
        <translation>키 없음</translation>
    </message>
    <message>
        <source>Your public key is on the clipboard; send it to the centre&apos;s admin:
{key}</source>
        <translation>공개 키를 클립보드에 복사했습니다. 센터 관리자에게 보내세요:
{key}</translation>
    </message>
    <message>
        <source>Registering your key…</source>
        <translation>키를 등록하는 중…</translation>
    </message>
    <message>
        <source>Your key {fingerprint} is registered with {centre}; you can connect with it over SSH.</source>
        <translation>키 {fingerprint}가 {centre}에 등록되었습니다. 이제 이 키로 SSH 연결할 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>My seats</source>
        <translation>내 좌석</translation>
    </message>
    <message>
        <source>My places in queues</source>
        <translation>내 대기 순번</translation>
    </message>
    <message>
        <source>My upcoming bookings</source>
        <translation>다가오는 내 예약</translation>
    </message>
    <message>
        <source>My running and recent jobs</source>
        <translation>실행 중이거나 최근의 내 작업</translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <source>Signed in as {name} ({login}), {org}. Roles: {roles}.</source>
        <translation>{org} 소속 {name}({login})(으)로 로그인했습니다. 역할: {roles}.</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>알림</translation>
    </message>
    <message>
        <source>When</source>
        <translation>시각</translation>
    </message>
    <message>
        <source>What</source>
        <translation>내용</translation>
    </message>
</context>
<context>
    <name>EditPoolDialog</name>
    <message>
        <source>Edit {pool}</source>
        <translation>{pool} 편집</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>{used} seats are in use; the pool cannot shrink below that.</source>
        <translation>{used}석이 사용 중이므로 그보다 줄일 수 없습니다.</translation>
    </message>
    <message>
        <source>Seats per lease</source>
        <translation>대여당 좌석</translation>
    </message>
    <message>
        <source>Hours per lease</source>
        <translation>대여당 시간</translation>
    </message>
    <message>
        <source>Bookings need approval</source>
        <translation>예약에 승인 필요</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>정지</translation>
    </message>
</context>
<context>
    <name>Eligibility</name>
    <message>
        <source>This pool is suspended: nobody can check out.</source>
        <translation>이 풀은 정지되어 아무도 체크아웃할 수 없습니다.</translation>
    </message>
    <message>
        <source>The licence is valid until {date}.</source>
        <translation>라이선스 유효 기한은 {date}까지입니다.</translation>
    </message>
    <message>
        <source>Your organisation ({org}) is eligible until {date}.</source>
        <translation>소속 기관({org})은 {date}까지 이용할 수 있습니다.</translation>
    </message>
    <message>
        <source>Your organisation ({org}) is eligible, with no end date.</source>
        <translation>소속 기관({org})은 종료일 없이 이용할 수 있습니다.</translation>
    </message>
    <message>
        <source>Not eligible: your organisation ({org}) is suspended.</source>
        <translation>이용 불가: 소속 기관({org})이 정지되었습니다.</translation>
    </message>
    <message>
        <source>Not eligible: you are suspended from the licence pools.</source>
        <translation>이용 불가: 라이선스 풀 이용이 정지되었습니다.</translation>
    </message>
    <message>
        <source>Not eligible: your account is disabled.</source>
        <translation>이용 불가: 계정이 비활성화되었습니다.</translation>
    </message>
    <message>
        <source>Not eligible: your organisation ({org}) is eligible from {date}.</source>
        <translation>이용 불가: 소속 기관({org})은 {date}부터 이용할 수 있습니다.</translation>
    </message>
    <message>
        <source>Not eligible: your organisation&apos;s ({org}) eligibility ended on {date}.</source>
        <translation>이용 불가: 소속 기관({org})의 이용 기간이 {date}에 끝났습니다.</translation>
    </message>
    <message>
        <source>Not eligible: {reason}</source>
        <translation>이용 불가: {reason}</translation>
    </message>
    <message>
        <source>Checking your organisation&apos;s eligibility…</source>
        <translation>소속 기관의 이용 자격을 확인하는 중…</translation>
    </message>
    <message>
        <source>The centre checks your organisation&apos;s eligibility when you confirm.</source>
        <translation>확인을 누르면 센터가 소속 기관의 이용 자격을 확인합니다.</translation>
    </message>
</context>
<context>
    <name>EligibilityDialog</name>
    <message>
        <source>Eligibility of {org}</source>
        <translation>{org}의 이용 자격</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The centre did not accept the values</source>
        <translation>센터가 입력값을 받아들이지 않았습니다</translation>
    </message>
    <message>
        <source>The file could not be read</source>
        <translation>파일을 읽을 수 없습니다</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>찾을 수 없습니다</translation>
    </message>
    <message>
        <source>You are not allowed to do that</source>
        <translation>이 작업을 할 권한이 없습니다</translation>
    </message>
    <message>
        <source>The centre does not know you</source>
        <translation>센터에 등록되지 않은 사용자입니다</translation>
    </message>
    <message>
        <source>Your account is disabled</source>
        <translation>계정이 비활성화되었습니다</translation>
    </message>
    <message>
        <source>That conflicts with the centre&apos;s current state</source>
        <translation>센터의 현재 상태와 충돌합니다</translation>
    </message>
    <message>
        <source>No seats are free</source>
        <translation>남은 좌석이 없습니다</translation>
    </message>
    <message>
        <source>Your organisation&apos;s quota would be exceeded</source>
        <translation>소속 기관의 할당량을 넘게 됩니다</translation>
    </message>
    <message>
        <source>Your organisation is not eligible for this pool</source>
        <translation>소속 기관은 이 풀을 이용할 자격이 없습니다</translation>
    </message>
    <message>
        <source>A limit would be exceeded</source>
        <translation>한도를 넘게 됩니다</translation>
    </message>
    <message>
        <source>It has expired</source>
        <translation>만료되었습니다</translation>
    </message>
    <message>
        <source>The centre&apos;s database is unavailable</source>
        <translation>센터 데이터베이스를 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>The centre could not be reached</source>
        <translation>센터에 연결할 수 없습니다</translation>
    </message>
    <message>
        <source>The connection to the centre was lost</source>
        <translation>센터와의 연결이 끊겼습니다</translation>
    </message>
    <message>
        <source>The centre did not answer in time</source>
        <translation>센터가 제시간에 응답하지 않았습니다</translation>
    </message>
    <message>
        <source>The centre&apos;s host key is not known yet</source>
        <translation>센터의 호스트 키를 아직 모릅니다</translation>
    </message>
    <message>
        <source>WARNING: the centre&apos;s host key has changed</source>
        <translation>경고: 센터의 호스트 키가 바뀌었습니다</translation>
    </message>
    <message>
        <source>The centre refused your key</source>
        <translation>센터가 내 키를 거부했습니다</translation>
    </message>
    <message>
        <source>The centre does not offer this function</source>
        <translation>센터가 이 기능을 제공하지 않습니다</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>문제가 발생했습니다</translation>
    </message>
    <message>
        <source>{title}: {detail}</source>
        <translation>{title}: {detail}</translation>
    </message>
</context>
<context>
    <name>HostKey</name>
    <message>
        <source>A centre you have not used before</source>
        <translation>처음 접속하는 센터</translation>
    </message>
    <message>
        <source>This is the first connection to {host}. Its {type} host key has the fingerprint:

{fingerprint}

Compare it with the one your centre&apos;s admin gave you. Trust it and connect?</source>
        <translation>{host}에 처음 접속합니다. 이 호스트의 {type} 키 지문은 다음과 같습니다:

{fingerprint}

센터 관리자가 알려 준 지문과 비교하세요. 이 키를 신뢰하고 접속할까요?</translation>
    </message>
    <message>
        <source>WARNING: the centre&apos;s identity has changed</source>
        <translation>경고: 센터의 신원이 바뀌었습니다</translation>
    </message>
    <message>
        <source>The host key of this centre is not the one you trusted before. Someone may be intercepting the connection, or the centre was reinstalled. ChipCommons will not connect. Ask the centre&apos;s admin for the new fingerprint.

{detail}</source>
        <translation>이 센터의 호스트 키가 이전에 신뢰한 키와 다릅니다. 누군가 연결을 가로채고 있거나 센터가 다시 설치되었을 수 있습니다. ChipCommons는 접속하지 않습니다. 센터 관리자에게 새 지문을 확인하세요.

{detail}</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Import {name}</source>
        <translation>{name} 가져오기</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>변경</translation>
    </message>
    <message>
        <source>new pool</source>
        <translation>새 풀</translation>
    </message>
    <message>
        <source>update</source>
        <translation>갱신</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>벤더</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>버전</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>만료</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>영구</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>줄</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>줄</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>문제</translation>
    </message>
    <message>
        <source>What it would change</source>
        <translation>바뀌게 될 내용</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>문제</translation>
    </message>
    <message>
        <source>The centre checks the whole file and imports all of it or nothing.</source>
        <translation>센터가 파일 전체를 검사하고, 전부 가져오거나 아무것도 가져오지 않습니다.</translation>
    </message>
    <message>
        <source>Asking the centre what this file would change…</source>
        <translation>이 파일이 무엇을 바꾸는지 센터에 묻는 중…</translation>
    </message>
    <message>
        <source>Importing would add {created} pool(s) and update {updated}. Nothing has been written yet.</source>
        <translation>가져오면 풀 {created}개가 추가되고 {updated}개가 갱신됩니다. 아직 아무것도 기록되지 않았습니다.</translation>
    </message>
    <message>
        <source>The centre would refuse this file ({count} problem(s)); nothing can be imported until it is fixed.</source>
        <translation>센터가 이 파일을 거부합니다(문제 {count}건). 고치기 전에는 가져올 수 없습니다.</translation>
    </message>
    <message>
        <source>The file</source>
        <translation>파일 내용</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>가져오기</translation>
    </message>
    <message>
        <source>{before} → {after}</source>
        <translation>{before} → {after}</translation>
    </message>
    <message>
        <source>The file is {size} bytes; a licence file is at most 4 MB.</source>
        <translation>파일 크기가 {size}바이트입니다. 라이선스 파일은 최대 4MB입니다.</translation>
    </message>
</context>
<context>
    <name>JobForm</name>
    <message>
        <source>Choose…</source>
        <translation>선택…</translation>
    </message>
    <message>
        <source>Choose input files</source>
        <translation>입력 파일 선택</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>필수 항목입니다.</translation>
    </message>
    <message>
        <source>Give a number.</source>
        <translation>숫자를 입력하세요.</translation>
    </message>
    <message>
        <source>Give a whole number.</source>
        <translation>정수를 입력하세요.</translation>
    </message>
    <message>
        <source>Too small.</source>
        <translation>값이 너무 작습니다.</translation>
    </message>
    <message>
        <source>At most {limit}.</source>
        <translation>최대 {limit}입니다.</translation>
    </message>
    <message>
        <source>Choose a file.</source>
        <translation>파일을 선택하세요.</translation>
    </message>
    <message>
        <source>{name} cannot be read.</source>
        <translation>{name}을(를) 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>{name} is {size}; the farm accepts at most {limit} per file.</source>
        <translation>{name}의 크기는 {size}입니다. 팜은 파일당 최대 {limit}까지 받습니다.</translation>
    </message>
    <message>
        <source>The inputs are {size} in all; the farm accepts at most {limit} per job.</source>
        <translation>입력 파일이 모두 {size}입니다. 팜은 작업당 최대 {limit}까지 받습니다.</translation>
    </message>
</context>
<context>
    <name>Jobs</name>
    <message>
        <source>New {backend} job</source>
        <translation>새 {backend} 작업</translation>
    </message>
    <message>
        <source>A name for the job (optional)</source>
        <translation>작업 이름(선택 사항)</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>제출</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>작업</translation>
    </message>
    <message>
        <source>SCALE-Sim estimate</source>
        <translation>SCALE-Sim 추정</translation>
    </message>
    <message>
        <source>PIM comparison</source>
        <translation>PIM 비교</translation>
    </message>
</context>
<context>
    <name>JobsTab</name>
    <message>
        <source>New job…</source>
        <translation>새 작업…</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>작업 취소</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>작업</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>백엔드</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>결과</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>제출 시각</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>사유</translation>
    </message>
    <message>
        <source>Stop sending</source>
        <translation>전송 중지</translation>
    </message>
    <message>
        <source>Log</source>
        <extracomment>bytes per upload chunk (tests make it small to drop a connection mid-file)</extracomment>
        <translation>로그</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>결과</translation>
    </message>
    <message>
        <source>Sending the job…</source>
        <translation>작업을 보내는 중…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>중지하는 중…</translation>
    </message>
    <message>
        <source>Sending {file}: {percent}%</source>
        <translation>{file} 전송 중: {percent}%</translation>
    </message>
    <message>
        <source>The connection to the centre was lost while sending {file}. Waiting for it to come back; sending will resume where it stopped.</source>
        <translation>{file}을(를) 보내는 중에 센터와의 연결이 끊어졌습니다. 연결이 돌아오기를 기다리는 중이며, 멈춘 곳부터 전송을 이어 갑니다.</translation>
    </message>
    <message>
        <source>The connection to the centre was lost. Waiting for it to come back; the job will be sent once.</source>
        <translation>센터와의 연결이 끊어졌습니다. 연결이 돌아오기를 기다리는 중이며, 작업은 한 번만 보내집니다.</translation>
    </message>
    <message>
        <source>Connected again: resuming…</source>
        <translation>다시 연결되었습니다: 이어서 보내는 중…</translation>
    </message>
    <message>
        <source>Job {job} submitted.</source>
        <translation>작업 {job}을(를) 제출했습니다.</translation>
    </message>
    <message>
        <source>Sending stopped; nothing was sent.</source>
        <translation>전송을 중지했습니다. 아무것도 보내지 않았습니다.</translation>
    </message>
    <message>
        <source>Sending stopped; discarding the partial upload…</source>
        <translation>전송을 중지했습니다. 일부만 올라간 파일을 삭제하는 중…</translation>
    </message>
    <message>
        <source>Sending stopped; job {job} was not submitted and its partial upload was discarded.</source>
        <translation>전송을 중지했습니다. 작업 {job}은(는) 제출되지 않았고 일부만 올라간 파일은 삭제되었습니다.</translation>
    </message>
    <message>
        <source>Sending stopped; the partial upload could not be discarded: {error}</source>
        <translation>전송을 중지했습니다. 일부만 올라간 파일을 삭제하지 못했습니다: {error}</translation>
    </message>
</context>
<context>
    <name>Keys</name>
    <message>
        <source>Type</source>
        <extracomment>a public key file is one line; anything bigger is not one</extracomment>
        <translation>종류</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>지문</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>설명</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>추가됨</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>폐기됨</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>사용 중</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Ed25519 (security key)</source>
        <translation>Ed25519 (보안 키)</translation>
    </message>
    <message>
        <source>ECDSA (security key)</source>
        <translation>ECDSA (보안 키)</translation>
    </message>
    <message>
        <source>{name} is {size} bytes; a public key file is one short line.</source>
        <translation>{name}의 크기는 {size}바이트입니다. 공개 키 파일은 짧은 한 줄입니다.</translation>
    </message>
</context>
<context>
    <name>KeysPanel</name>
    <message>
        <source>Add a key…</source>
        <translation>키 추가…</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>폐기…</translation>
    </message>
    <message>
        <source>Key {fingerprint} added.</source>
        <translation>키 {fingerprint}를 추가했습니다.</translation>
    </message>
    <message>
        <source>Revoke the key {fingerprint} ({comment}) of {login}? The centre refuses connections with it from now on. This cannot be undone.</source>
        <translation>{login}의 키 {fingerprint}({comment})를 폐기할까요? 이제부터 센터는 이 키로 오는 연결을 거부합니다. 되돌릴 수 없습니다.</translation>
    </message>
    <message>
        <source>Revoke your key {fingerprint} ({comment})? The centre refuses connections with it from now on; if you connect with this key, you will need another one. This cannot be undone.</source>
        <translation>내 키 {fingerprint}({comment})를 폐기할까요? 이제부터 센터는 이 키로 오는 연결을 거부합니다. 이 키로 연결하고 있다면 다른 키가 필요합니다. 되돌릴 수 없습니다.</translation>
    </message>
    <message>
        <source>Revoke this key?</source>
        <translation>이 키를 폐기할까요?</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>폐기</translation>
    </message>
    <message>
        <source>Key {fingerprint} revoked.</source>
        <translation>키 {fingerprint}를 폐기했습니다.</translation>
    </message>
</context>
<context>
    <name>KeysTab</name>
    <message>
        <source>All users</source>
        <translation>모든 사용자</translation>
    </message>
    <message>
        <source>User</source>
        <translation>사용자</translation>
    </message>
</context>
<context>
    <name>Licences</name>
    <message>
        <source>{free} of {seats} free, {queued} queued</source>
        <translation>{seats}석 중 {free}석 사용 가능, {queued}석 대기</translation>
    </message>
    <message>
        <source>{free} of {seats} free</source>
        <translation>{seats}석 중 {free}석 사용 가능</translation>
    </message>
    <message>
        <source>{seats} reserved from {start} ({note})</source>
        <translation>{start}부터 {seats}석 예약됨({note})</translation>
    </message>
    <message>
        <source>{seats} reserved from {start}</source>
        <translation>{start}부터 {seats}석 예약됨</translation>
    </message>
    <message>
        <source>Lease</source>
        <translation>대여</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>남은 시간</translation>
    </message>
    <message>
        <source>Ends at</source>
        <translation>종료 시각</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>순번</translation>
    </message>
    <message>
        <source>Held until</source>
        <translation>확보 기한</translation>
    </message>
    <message>
        <source>From</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>종료</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
</context>
<context>
    <name>LicencesScreen</name>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Vendor</source>
        <translation>공급사</translation>
    </message>
    <message>
        <source>Availability</source>
        <translation>사용 현황</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>사용 중</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>예약됨</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>대기</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>내 좌석</translation>
    </message>
    <message>
        <source>My place in the queue</source>
        <translation>내 대기 순번</translation>
    </message>
    <message>
        <source>Next booking</source>
        <translation>다음 예약</translation>
    </message>
    <message>
        <source>Check out…</source>
        <translation>체크아웃…</translation>
    </message>
    <message>
        <source>Join the queue…</source>
        <translation>대기열 등록…</translation>
    </message>
    <message>
        <source>Book seats…</source>
        <translation>좌석 예약…</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>반납</translation>
    </message>
    <message>
        <source>Extend by 1 h</source>
        <translation>1시간 연장</translation>
    </message>
    <message>
        <source>Leave the queue</source>
        <translation>대기열에서 나가기</translation>
    </message>
    <message>
        <source>Cancel booking</source>
        <translation>예약 취소</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>(another user)</source>
        <translation>(다른 사용자)</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Holds</source>
        <translation>보유</translation>
    </message>
    <message>
        <source>seat</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>queue</source>
        <translation>대기</translation>
    </message>
    <message>
        <source>Until or since</source>
        <translation>종료 또는 시작 시각</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>이번 주</translation>
    </message>
    <message>
        <source>Drag over a day to book seats of the selected tool for that time.</source>
        <translation>하루 안에서 시간대를 끌어 선택하면 선택한 도구의 좌석을 그 시간에 예약합니다.</translation>
    </message>
    <message>
        <source>My seats</source>
        <translation>내 좌석</translation>
    </message>
    <message>
        <source>My queue</source>
        <translation>내 대기열</translation>
    </message>
    <message>
        <source>My bookings</source>
        <translation>내 예약</translation>
    </message>
    <message>
        <source>Holders</source>
        <translation>사용자 목록</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>주간</translation>
    </message>
    <message>
        <source>Everyone holding or waiting for {tool}.</source>
        <translation>{tool}을(를) 사용 중이거나 기다리는 모든 사람입니다.</translation>
    </message>
    <message>
        <source>Who waits for {tool}; other people&apos;s names are shown to staff only.</source>
        <translation>{tool}을(를) 기다리는 사람입니다. 다른 사람의 이름은 운영진에게만 보입니다.</translation>
    </message>
    <message>
        <source>Week of {date}</source>
        <translation>{date} 주</translation>
    </message>
    <message>
        <source>{reason}

Join the queue? You are notified when a seat is held for you.</source>
        <translation>{reason}

대기열에 등록할까요? 좌석이 확보되면 알려 드립니다.</translation>
    </message>
    <message>
        <source>Join the queue</source>
        <translation>대기열 등록</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>ChipCommons</source>
        <translation>ChipCommons</translation>
    </message>
    <message>
        <source>&amp;ChipCommons</source>
        <translation>ChipCommons(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Connections…</source>
        <translation>연결(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>설정(&amp;S)…</translation>
    </message>
    <message>
        <source>My SSH &amp;keys…</source>
        <translation>내 SSH 키(&amp;K)…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>새로 고침(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>Connecting to the centre…</source>
        <translation>센터에 연결하는 중…</translation>
    </message>
    <message>
        <source>embedded centre</source>
        <translation>내장 센터</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>연결되지 않음</translation>
    </message>
    <message>
        <source>Connecting to {where}…</source>
        <translation>{where}에 연결하는 중…</translation>
    </message>
    <message>
        <source>Connected to {where} as {login}</source>
        <translation>{where}에 {login}(으)로 연결됨</translation>
    </message>
    <message>
        <source>Connection to {where} lost; reconnecting…</source>
        <translation>{where}와의 연결이 끊겨 다시 연결하는 중…</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>처리 중…</translation>
    </message>
    <message>
        <source>{title}: {text}</source>
        <translation>{title}: {text}</translation>
    </message>
</context>
<context>
    <name>MyKeysDialog</name>
    <message>
        <source>My SSH keys on {centre}</source>
        <translation>{centre}의 내 SSH 키</translation>
    </message>
    <message>
        <source>The centre lets you connect over SSH with these keys. Add the public half only (the .pub file); your private key never leaves this computer.</source>
        <translation>센터는 이 키들로 SSH 연결을 허용합니다. 공개 키(.pub 파일)만 추가하세요. 개인 키는 이 컴퓨터를 떠나지 않습니다.</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Admin</source>
        <translation>관리</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>대시보드</translation>
    </message>
    <message>
        <source>Licences</source>
        <translation>라이선스</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>작업</translation>
    </message>
</context>
<context>
    <name>Notifications</name>
    <message>
        <source>A seat is yours</source>
        <translation>좌석이 배정되었습니다</translation>
    </message>
    <message>
        <source>Your queued request for {seats} seat(s) of {feature} was granted. It is held for you for a short while.</source>
        <translation>대기 중이던 {feature} 좌석 {seats}개 요청이 승인되었습니다. 잠시 동안 회원님을 위해 확보해 둡니다.</translation>
    </message>
    <message>
        <source>Your booking has started</source>
        <translation>예약이 시작되었습니다</translation>
    </message>
    <message>
        <source>Your booking of {seats} seat(s) of {feature} has started.</source>
        <translation>{feature} 좌석 {seats}개 예약이 시작되었습니다.</translation>
    </message>
    <message>
        <source>Your booking ends soon</source>
        <translation>예약이 곧 끝납니다</translation>
    </message>
    <message>
        <source>Your booking of {seats} seat(s) of {feature} ends at {end}.</source>
        <translation>{feature} 좌석 {seats}개 예약이 {end}에 끝납니다.</translation>
    </message>
    <message>
        <source>Your seat expires soon</source>
        <translation>좌석 사용 기한이 곧 끝납니다</translation>
    </message>
    <message>
        <source>Your seat of {feature} expires soon; renew it to keep it.</source>
        <translation>{feature} 좌석의 사용 기한이 곧 끝납니다. 계속 쓰려면 연장하세요.</translation>
    </message>
    <message>
        <source>A job has finished</source>
        <translation>작업이 끝났습니다</translation>
    </message>
    <message>
        <source>Job {job} finished: {state}.</source>
        <translation>작업 {job}이(가) 끝났습니다: {state}.</translation>
    </message>
    <message>
        <source>Notice from the centre</source>
        <translation>센터 알림</translation>
    </message>
    <message>
        <source>The centre sent a notice ({kind}).</source>
        <translation>센터에서 알림을 보냈습니다({kind}).</translation>
    </message>
</context>
<context>
    <name>OptionsFileTab</name>
    <message>
        <source>Preview</source>
        <translation>미리 보기</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>다른 이름으로 저장…</translation>
    </message>
    <message>
        <source>Generated from quotas, bookings, suspensions and eligibility. Install it beside the vendor daemon and run lmreread.</source>
        <translation>할당량, 예약, 정지, 이용 자격으로 만든 파일입니다. 벤더 데몬 옆에 설치하고 lmreread를 실행하세요.</translation>
    </message>
    <message>
        <source>Save the options file</source>
        <translation>옵션 파일 저장</translation>
    </message>
</context>
<context>
    <name>OrgKinds</name>
    <message>
        <source>university</source>
        <translation>대학</translation>
    </message>
    <message>
        <source>startup</source>
        <translation>스타트업</translation>
    </message>
    <message>
        <source>centre</source>
        <translation>센터</translation>
    </message>
    <message>
        <source>company</source>
        <translation>기업</translation>
    </message>
</context>
<context>
    <name>OrgsTab</name>
    <message>
        <source>Code</source>
        <translation>코드</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Korean name</source>
        <translation>한글 이름</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Eligible from</source>
        <translation>자격 시작일</translation>
    </message>
    <message>
        <source>Eligible until</source>
        <translation>자격 종료일</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>suspended</source>
        <translation>정지됨</translation>
    </message>
    <message>
        <source>active</source>
        <translation>활성</translation>
    </message>
    <message>
        <source>Add organisation…</source>
        <translation>기관 추가…</translation>
    </message>
    <message>
        <source>Eligibility…</source>
        <translation>이용 자격…</translation>
    </message>
    <message>
        <source>Suspend or resume</source>
        <translation>정지 또는 재개</translation>
    </message>
</context>
<context>
    <name>Pim</name>
    <message>
        <source>&quot;{part}&quot; is not rows x columns.</source>
        <translation>&quot;{part}&quot;은(는) 행 x 열 형식이 아닙니다.</translation>
    </message>
    <message>
        <source>Shapes must be positive.</source>
        <translation>크기는 양수여야 합니다.</translation>
    </message>
    <message>
        <source>Give at least one shape, such as 1024x1024.</source>
        <translation>1024x1024처럼 크기를 하나 이상 입력하세요.</translation>
    </message>
    <message>
        <source>Give at most 64 shapes.</source>
        <translation>크기는 최대 64개까지 입력할 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>PimPhases</name>
    <message>
        <source>host read</source>
        <translation>호스트 읽기</translation>
    </message>
    <message>
        <source>host write</source>
        <translation>호스트 쓰기</translation>
    </message>
    <message>
        <source>setup</source>
        <translation>준비</translation>
    </message>
    <message>
        <source>mode toggle</source>
        <translation>모드 전환</translation>
    </message>
    <message>
        <source>operand to GRF</source>
        <translation>GRF로 피연산자 적재</translation>
    </message>
    <message>
        <source>compute</source>
        <translation>연산</translation>
    </message>
    <message>
        <source>write-back</source>
        <translation>되쓰기</translation>
    </message>
    <message>
        <source>exit</source>
        <translation>종료</translation>
    </message>
</context>
<context>
    <name>PimSweepTab</name>
    <message>
        <source>Compare</source>
        <translation>비교</translation>
    </message>
    <message>
        <source>GEMV on the HBM-PIM preset against the host reading the same matrix. Choose a shape in the table to see where the cycles go.</source>
        <translation>HBM-PIM 프리셋의 GEMV를 같은 행렬을 읽는 호스트와 비교합니다. 표에서 크기를 고르면 사이클이 어디에 쓰이는지 보여 줍니다.</translation>
    </message>
    <message>
        <source>Speed-up against matrix shape</source>
        <translation>행렬 크기별 속도 향상</translation>
    </message>
    <message>
        <source>Cycles by phase</source>
        <translation>단계별 사이클</translation>
    </message>
    <message>
        <source>Workload</source>
        <translation>워크로드</translation>
    </message>
    <message>
        <source>Host cycles</source>
        <translation>호스트 사이클</translation>
    </message>
    <message>
        <source>PIM cycles</source>
        <translation>PIM 사이클</translation>
    </message>
    <message>
        <source>Speed-up</source>
        <translation>속도 향상</translation>
    </message>
    <message>
        <source>PIM utilisation</source>
        <translation>PIM 활용률</translation>
    </message>
    <message>
        <source>Shapes (rows x columns)</source>
        <translation>크기(행 x 열)</translation>
    </message>
    <message>
        <source>Speed-up (host cycles / PIM cycles)</source>
        <translation>속도 향상(호스트 사이클 / PIM 사이클)</translation>
    </message>
    <message>
        <source>Cycles by phase: {workload}</source>
        <translation>단계별 사이클: {workload}</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>호스트</translation>
    </message>
    <message>
        <source>PIM</source>
        <translation>PIM</translation>
    </message>
</context>
<context>
    <name>PoolsTab</name>
    <message>
        <source>Import a licence file…</source>
        <translation>라이선스 파일 가져오기…</translation>
    </message>
    <message>
        <source>Add a local pool…</source>
        <translation>로컬 풀 추가…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>편집…</translation>
    </message>
    <message>
        <source>Choose a FlexLM licence file</source>
        <translation>FlexLM 라이선스 파일 선택</translation>
    </message>
    <message>
        <source>Licence files (*.lic *.dat *.txt);;All files (*)</source>
        <translation>라이선스 파일 (*.lic *.dat *.txt);;모든 파일 (*)</translation>
    </message>
</context>
<context>
    <name>Quota</name>
    <message>
        <source>{used} of {limit} seats at once</source>
        <translation>동시 사용 {limit}석 중 {used}석</translation>
    </message>
    <message>
        <source>{used:.1f} of {limit:.1f} seat-hours this {period} ({left:.1f} left)</source>
        <translation>이번 {period} {limit:.1f}좌석시간 중 {used:.1f}좌석시간 사용({left:.1f} 남음)</translation>
    </message>
    <message>
        <source>all tools</source>
        <translation>모든 도구</translation>
    </message>
    <message>
        <source>{who} ({scope}): {what}</source>
        <translation>{who}({scope}): {what}</translation>
    </message>
    <message>
        <source>No quota limits apply to you here.</source>
        <translation>여기에는 적용되는 할당량 제한이 없습니다.</translation>
    </message>
    <message>
        <source>{who} may hold at most {limit} seats at once; {used} are in use.</source>
        <translation>{who}은(는) 동시에 최대 {limit}석까지 쓸 수 있으며, 지금 {used}석을 쓰고 있습니다.</translation>
    </message>
    <message>
        <source>This needs {need:.1f} seat-hours; {who} has {left:.1f} left this {period}.</source>
        <translation>{need:.1f}좌석시간이 필요하지만 {who}에게는 이번 {period}에 {left:.1f}좌석시간이 남아 있습니다.</translation>
    </message>
    <message>
        <source>Loading your quota…</source>
        <translation>할당량을 불러오는 중…</translation>
    </message>
    <message>
        <source>Your quota could not be loaded; the centre checks it when you confirm.</source>
        <translation>할당량을 불러오지 못했습니다. 확인을 누르면 센터가 확인합니다.</translation>
    </message>
</context>
<context>
    <name>QuotaDialog</name>
    <message>
        <source>Set a quota</source>
        <translation>할당량 설정</translation>
    </message>
    <message>
        <source>every organisation of a kind</source>
        <translation>같은 종류의 모든 기관</translation>
    </message>
    <message>
        <source>one organisation</source>
        <translation>기관 하나</translation>
    </message>
    <message>
        <source>a course</source>
        <translation>강좌</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>적용 대상</translation>
    </message>
    <message>
        <source>startup, an organisation code or a course</source>
        <translation>startup, 기관 코드 또는 강좌</translation>
    </message>
    <message>
        <source>Which</source>
        <translation>대상</translation>
    </message>
    <message>
        <source>Say which organisations or course.</source>
        <translation>어느 기관이나 강좌인지 입력하세요.</translation>
    </message>
    <message>
        <source>empty: all tools</source>
        <translation>비우면 모든 도구</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Seats at once</source>
        <translation>동시 좌석</translation>
    </message>
    <message>
        <source>Seat-hours per period</source>
        <translation>기간당 좌석시간</translation>
    </message>
    <message>
        <source>month</source>
        <translation>월</translation>
    </message>
    <message>
        <source>term</source>
        <translation>학기</translation>
    </message>
    <message>
        <source>no period</source>
        <translation>기간 없음</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>기간</translation>
    </message>
    <message>
        <source>Give a whole number of seats, or leave it empty.</source>
        <translation>좌석 수를 정수로 입력하거나 비워 두세요.</translation>
    </message>
    <message>
        <source>Give seats at once, seat-hours, or both.</source>
        <translation>동시 좌석이나 좌석시간, 또는 둘 다 입력하세요.</translation>
    </message>
    <message>
        <source>Give a number of hours, or leave it empty.</source>
        <translation>시간을 숫자로 입력하거나 비워 두세요.</translation>
    </message>
</context>
<context>
    <name>Quotas</name>
    <message>
        <source>every {kind}</source>
        <translation>모든 {kind}</translation>
    </message>
    <message>
        <source>organisation {org}</source>
        <translation>기관 {org}</translation>
    </message>
    <message>
        <source>course {course}</source>
        <translation>강좌 {course}</translation>
    </message>
    <message>
        <source>month</source>
        <translation>달</translation>
    </message>
    <message>
        <source>term</source>
        <translation>학기</translation>
    </message>
    <message>
        <source>no period</source>
        <translation>기간 없음</translation>
    </message>
</context>
<context>
    <name>QuotasTab</name>
    <message>
        <source>Applies to</source>
        <translation>적용 대상</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>all tools</source>
        <translation>모든 도구</translation>
    </message>
    <message>
        <source>Seats at once</source>
        <translation>동시 좌석</translation>
    </message>
    <message>
        <source>Seat-hours</source>
        <translation>좌석시간</translation>
    </message>
    <message>
        <source>Per</source>
        <translation>기간</translation>
    </message>
    <message>
        <source>Reserved seats</source>
        <translation>예약 확보 좌석</translation>
    </message>
    <message>
        <source>Set a quota…</source>
        <translation>할당량 설정…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
</context>
<context>
    <name>ReconcileTab</name>
    <message>
        <source>Paste the output of lmstat -a here, or load a file.</source>
        <translation>lmstat -a 출력을 여기에 붙여 넣거나 파일을 불러오세요.</translation>
    </message>
    <message>
        <source>Load a file…</source>
        <translation>파일 불러오기…</translation>
    </message>
    <message>
        <source>Reconcile</source>
        <translation>대조</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Seats used</source>
        <translation>사용 좌석</translation>
    </message>
    <message>
        <source>Seats leased</source>
        <translation>대여 좌석</translation>
    </message>
    <message>
        <source>Hosts</source>
        <translation>호스트</translation>
    </message>
    <message>
        <source>What</source>
        <translation>내용</translation>
    </message>
    <message>
        <source>Seats idle</source>
        <translation>유휴 좌석</translation>
    </message>
    <message>
        <source>Used without a lease</source>
        <translation>대여 없이 사용</translation>
    </message>
    <message>
        <source>Leased or booked but idle</source>
        <translation>대여·예약했지만 유휴</translation>
    </message>
    <message>
        <source>Choose lmstat output</source>
        <translation>lmstat 출력 선택</translation>
    </message>
    <message>
        <source>Paste or load lmstat output first.</source>
        <translation>먼저 lmstat 출력을 붙여 넣거나 불러오세요.</translation>
    </message>
    <message>
        <source>{matched} lease(s) match the server. {unleased} seat(s) are used without a lease; {idle} lease(s) and {booked} booking(s) sit idle.</source>
        <translation>대여 {matched}건이 서버와 일치합니다. {unleased}석이 대여 없이 쓰이고 있고, 대여 {idle}건과 예약 {booked}건이 쓰이지 않고 있습니다.</translation>
    </message>
    <message>
        <source>lease</source>
        <translation>대여</translation>
    </message>
    <message>
        <source>booking</source>
        <translation>예약</translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <source>Filter…</source>
        <extracomment>rows of the filter index built per idle slice a first load of at most this many rows sizes the columns to their contents</extracomment>
        <translation>검색…</translation>
    </message>
</context>
<context>
    <name>ReportsTab</name>
    <message>
        <source>Show</source>
        <translation>보기</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV로 내보내기…</translation>
    </message>
    <message>
        <source>Seat-hours per day</source>
        <translation>일별 좌석시간</translation>
    </message>
    <message>
        <source>Peak seats in use and seats</source>
        <translation>최대 동시 사용 좌석과 전체 좌석</translation>
    </message>
    <message>
        <source>Denials by reason</source>
        <translation>사유별 거절</translation>
    </message>
    <message>
        <source>Queue waits (minutes)</source>
        <translation>대기 시간(분)</translation>
    </message>
    <message>
        <source>Utilisation (%)</source>
        <translation>활용률(%)</translation>
    </message>
    <message>
        <source>Seat-hours by weekday and hour</source>
        <translation>요일·시간대별 좌석시간</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Seat-hours</source>
        <translation>좌석시간</translation>
    </message>
    <message>
        <source>Utilisation</source>
        <translation>활용률</translation>
    </message>
    <message>
        <source>Peak</source>
        <translation>최대</translation>
    </message>
    <message>
        <source>Denials</source>
        <translation>거절</translation>
    </message>
    <message>
        <source>Queue waits</source>
        <translation>대기</translation>
    </message>
    <message>
        <source>Median wait (min)</source>
        <translation>대기 중앙값(분)</translation>
    </message>
    <message>
        <source>Booked but idle (h)</source>
        <translation>예약 후 유휴(시간)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Leases</source>
        <translation>대여</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>차트</translation>
    </message>
    <message>
        <source>By tool</source>
        <translation>도구별</translation>
    </message>
    <message>
        <source>By organisation, user and course</source>
        <translation>기관·사용자·강좌별</translation>
    </message>
    <message>
        <source>From</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>until</source>
        <translation>까지</translation>
    </message>
    <message>
        <source>The range ends before it starts.</source>
        <translation>기간의 끝이 시작보다 빠릅니다.</translation>
    </message>
    <message>
        <source>organisation</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>user</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>course</source>
        <translation>강좌</translation>
    </message>
    <message>
        <source>{hours:.1f} seat-hours on {tools} tools; {denials} denials; {waits} queue waits.</source>
        <translation>도구 {tools}개에서 {hours:.1f}좌석시간, 거절 {denials}건, 대기 {waits}건.</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>중앙값</translation>
    </message>
    <message>
        <source>95th percentile</source>
        <translation>95백분위</translation>
    </message>
    <message>
        <source>Seat-hours by weekday and hour (latest {count} leases)</source>
        <translation>요일·시간대별 좌석시간(최근 대여 {count}건)</translation>
    </message>
    <message>
        <source>Export the usage report</source>
        <translation>사용 보고서 내보내기</translation>
    </message>
</context>
<context>
    <name>Reserve</name>
    <message>
        <source>Book seats</source>
        <translation>좌석 예약</translation>
    </message>
    <message>
        <source>Checking with the centre…</source>
        <translation>센터에 확인하는 중…</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>From</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>종료</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Repeat weekly (weeks)</source>
        <translation>매주 반복(주)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>At most 200 characters.</source>
        <translation>200자 이내로 입력하세요.</translation>
    </message>
    <message>
        <source>What it uses</source>
        <translation>사용량</translation>
    </message>
    <message>
        <source>Eligibility</source>
        <translation>이용 자격</translation>
    </message>
    <message>
        <source>The booking must end after it starts.</source>
        <translation>예약 종료 시각은 시작 시각보다 늦어야 합니다.</translation>
    </message>
    <message>
        <source>The booking cannot start in the past.</source>
        <translation>지난 시각으로 예약할 수 없습니다.</translation>
    </message>
    <message>
        <source>Your organisation is eligible only from {date}.</source>
        <translation>소속 기관은 {date}부터만 이용할 수 있습니다.</translation>
    </message>
    <message>
        <source>Your organisation is eligible only until {date}.</source>
        <translation>소속 기관은 {date}까지만 이용할 수 있습니다.</translation>
    </message>
    <message>
        <source>{seats} seat(s), {count} occurrence(s), {hours:.1f} seat-hours in all.</source>
        <translation>좌석 {seats}개, {count}회, 모두 {hours:.1f}좌석시간입니다.</translation>
    </message>
    <message>
        <source>An admin must approve this booking.</source>
        <translation>이 예약은 관리자의 승인이 필요합니다.</translation>
    </message>
    <message>
        <source>The centre cannot book this.</source>
        <translation>센터가 이 예약을 받을 수 없습니다.</translation>
    </message>
    <message>
        <source>Waiting for the centre&apos;s check…</source>
        <translation>센터의 확인을 기다리는 중…</translation>
    </message>
    <message>
        <source>This booking does not fit; change the time or seats.</source>
        <translation>이 예약은 들어갈 자리가 없습니다. 시간이나 좌석 수를 바꾸세요.</translation>
    </message>
</context>
<context>
    <name>Results</name>
    <message>
        <source>Choose a finished job to see its results.</source>
        <translation>끝난 작업을 고르면 결과를 보여 줍니다.</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>테스트</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>출력</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>지표</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>값</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Total cycles</source>
        <translation>전체 사이클</translation>
    </message>
    <message>
        <source>Compute cycles</source>
        <translation>연산 사이클</translation>
    </message>
    <message>
        <source>Compute utilisation %</source>
        <translation>연산 활용률 %</translation>
    </message>
    <message>
        <source>Overall utilisation %</source>
        <translation>전체 활용률 %</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>테스트</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>지표</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source> Score: {score}.</source>
        <translation> 점수: {score}.</translation>
    </message>
    <message>
        <source>Job {job} ({backend}): {outcome}.{score} {message}</source>
        <translation>작업 {job}({backend}): {outcome}.{score} {message}</translation>
    </message>
    <message>
        <source>Analytical model</source>
        <translation>해석 모델</translation>
    </message>
    <message>
        <source>Cycles per layer</source>
        <translation>레이어별 사이클</translation>
    </message>
    <message>
        <source>Utilisation per layer (%)</source>
        <translation>레이어별 활용률(%)</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>연산</translation>
    </message>
    <message>
        <source>Overall</source>
        <translation>전체</translation>
    </message>
    <message>
        <source>Cells by type</source>
        <translation>종류별 셀 수</translation>
    </message>
    <message>
        <source>Cells</source>
        <translation>셀</translation>
    </message>
    <message>
        <source>PIM against the host baseline (cycles)</source>
        <translation>PIM과 호스트 기준 비교(사이클)</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>호스트</translation>
    </message>
    <message>
        <source>PIM</source>
        <translation>PIM</translation>
    </message>
    <message>
        <source>Speed-up</source>
        <translation>속도 향상</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>student</source>
        <translation>학생</translation>
    </message>
    <message>
        <source>engineer</source>
        <translation>엔지니어</translation>
    </message>
    <message>
        <source>instructor</source>
        <translation>강사</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>관리자</translation>
    </message>
</context>
<context>
    <name>ScaleSimEstimateTab</name>
    <message>
        <source>weight stationary</source>
        <translation>가중치 고정(WS)</translation>
    </message>
    <message>
        <source>output stationary</source>
        <translation>출력 고정(OS)</translation>
    </message>
    <message>
        <source>input stationary</source>
        <translation>입력 고정(IS)</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Compute cycles</source>
        <translation>연산 사이클</translation>
    </message>
    <message>
        <source>Folds</source>
        <translation>폴드 수</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC 수</translation>
    </message>
    <message>
        <source>Mapping efficiency %</source>
        <translation>매핑 효율 %</translation>
    </message>
    <message>
        <source>Compute utilisation %</source>
        <translation>연산 활용률 %</translation>
    </message>
    <message>
        <source>Compute cycles per layer</source>
        <translation>레이어별 연산 사이클</translation>
    </message>
    <message>
        <source>Utilisation per layer (%)</source>
        <translation>레이어별 활용률(%)</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>구성</translation>
    </message>
    <message>
        <source>Topology</source>
        <translation>토폴로지</translation>
    </message>
    <message>
        <source>Array (rows × columns)</source>
        <translation>어레이(행 × 열)</translation>
    </message>
    <message>
        <source>Dataflow</source>
        <translation>데이터플로</translation>
    </message>
    <message>
        <source>Estimated compute cycles on a {rows}×{cols} array: {total} (analytical model; SCALE-Sim itself may take minutes).</source>
        <translation>{rows}×{cols} 어레이의 추정 연산 사이클: {total}(해석 모델 기준이며, SCALE-Sim 실행은 몇 분 걸릴 수 있습니다).</translation>
    </message>
    <message>
        <source>Mapping efficiency</source>
        <translation>매핑 효율</translation>
    </message>
    <message>
        <source>Compute utilisation</source>
        <translation>연산 활용률</translation>
    </message>
</context>
<context>
    <name>SeatRequest</name>
    <message>
        <source> h</source>
        <translation> 시간</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>시간</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>할당량</translation>
    </message>
    <message>
        <source>Eligibility</source>
        <translation>이용 자격</translation>
    </message>
    <message>
        <source>This pool is suspended.</source>
        <translation>이 풀은 정지되었습니다.</translation>
    </message>
    <message>
        <source>Waiting for your quota…</source>
        <translation>할당량을 기다리는 중…</translation>
    </message>
    <message>
        <source>Check out {feature}</source>
        <translation>{feature} 체크아웃</translation>
    </message>
    <message>
        <source>{free} of {seats} seats are free now.</source>
        <translation>지금 {seats}석 중 {free}석을 쓸 수 있습니다.</translation>
    </message>
    <message>
        <source>Join the queue for {feature}</source>
        <translation>{feature} 대기열 등록</translation>
    </message>
    <message>
        <source>{waiting} requests are waiting; you would be number {position}. When seats free up they are held for you and you are notified.</source>
        <translation>{waiting}건이 대기 중이며 회원님은 {position}번째가 됩니다. 좌석이 나면 회원님을 위해 확보하고 알려 드립니다.</translation>
    </message>
</context>
<context>
    <name>SeatsTab</name>
    <message>
        <source>Lease</source>
        <translation>대여</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>Seats</source>
        <translation>좌석</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>종료</translation>
    </message>
    <message>
        <source>Booking</source>
        <translation>예약</translation>
    </message>
    <message>
        <source>From</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>종료</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Release the seat</source>
        <translation>좌석 회수</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>승인</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>거절</translation>
    </message>
    <message>
        <source>Seats in use</source>
        <translation>사용 중인 좌석</translation>
    </message>
    <message>
        <source>Bookings waiting for approval</source>
        <translation>승인 대기 중인 예약</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>시스템 설정을 따름</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
</context>
<context>
    <name>States</name>
    <message>
        <source>draft</source>
        <translation>초안</translation>
    </message>
    <message>
        <source>staged</source>
        <translation>준비됨</translation>
    </message>
    <message>
        <source>waiting for seats</source>
        <translation>좌석 대기</translation>
    </message>
    <message>
        <source>accepted, not yet at the scheduler</source>
        <translation>접수됨, 아직 스케줄러에 넘기지 않음</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>대기열</translation>
    </message>
    <message>
        <source>running</source>
        <translation>실행 중</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>성공</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <source>waiting for approval</source>
        <translation>승인 대기</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>승인됨</translation>
    </message>
    <message>
        <source>active</source>
        <translation>활성</translation>
    </message>
    <message>
        <source>done</source>
        <translation>완료</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>거절됨</translation>
    </message>
    <message>
        <source>granted</source>
        <translation>배정됨</translation>
    </message>
    <message>
        <source>lapsed</source>
        <translation>만료됨</translation>
    </message>
    <message>
        <source>left</source>
        <translation>나감</translation>
    </message>
    <message>
        <source>success</source>
        <translation>성공</translation>
    </message>
    <message>
        <source>compile error</source>
        <translation>컴파일 오류</translation>
    </message>
    <message>
        <source>runtime error</source>
        <translation>실행 오류</translation>
    </message>
    <message>
        <source>time limit</source>
        <translation>시간 초과</translation>
    </message>
    <message>
        <source>memory limit</source>
        <translation>메모리 초과</translation>
    </message>
    <message>
        <source>infrastructure error</source>
        <translation>인프라 오류</translation>
    </message>
</context>
<context>
    <name>Time</name>
    <message>
        <source>{hours} h {minutes:02d} min</source>
        <translation>{hours}시간 {minutes:02d}분</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes}분</translation>
    </message>
</context>
<context>
    <name>UsersTab</name>
    <message>
        <source>Login</source>
        <translation>로그인 ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Korean name</source>
        <translation>한글 이름</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>기관</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>역할</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>비활성</translation>
    </message>
    <message>
        <source>active</source>
        <translation>활성</translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation>사용자 추가…</translation>
    </message>
    <message>
        <source>Disable or enable</source>
        <translation>비활성화 또는 활성화</translation>
    </message>
    <message>
        <source>SSH keys…</source>
        <translation>SSH 키…</translation>
    </message>
</context>
</TS>
