<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
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
    <name>AdminScreen</name>
    <message>
        <source>Users</source>
        <translation>사용자</translation>
    </message>
    <message>
        <source>Organisations</source>
        <translation>기관</translation>
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
    <name>Navigation</name>
    <message>
        <source>Admin</source>
        <translation>관리</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>대시보드</translation>
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
        <source>Job {job} ({backend}) finished: {state}.</source>
        <translation>작업 {job}({backend})이(가) 끝났습니다: {state}.</translation>
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
    <name>RecordTable</name>
    <message>
        <source>Filter…</source>
        <translation>검색…</translation>
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
</context>
</TS>
