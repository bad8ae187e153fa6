"""Small returns written from the published specifications (SOURCES.md), with malformed records of each kind.

The expectations in tests/test_imports.py are computed by hand from these files; the comments say
what each record is for. Today is fixed at 2024-06-01 for the "date in the future" flags.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

TODAY = date(2024, 6, 1)

CIN_2023 = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2023</Year>
    <ReferenceDate>2023-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>
    <Child><!-- A1: referral, assessment, open CIN plan; again in 2024, which closes them -->
      <ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-03-27</PersonBirthDate><Sex>1</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails><CINreferralDate>2022-10-06</CINreferralDate><ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode><ReferralNFA>0</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2022-10-07</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2022-11-01</AssessmentAuthorisationDate></Assessments>
        <CINPlanDates><CINPlanStartDate>2022-11-10</CINPlanStartDate></CINPlanDates>
      </CINdetails>
    </Child>
    <Child><!-- A2: CP plan with two reviews, a s47 (not in the contract) -->
      <ChildIdentifiers><LAchildID>A2</LAchildID><PersonBirthDate>2012-07-15</PersonBirthDate><Sex>2</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>BAFR</Ethnicity><Disabilities><Disability>HAND</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails><CINreferralDate>2022-05-01</CINreferralDate><ReferralSource>5A</ReferralSource>
        <ReferralNFA>false</ReferralNFA>
        <Section47><S47ActualStartDate>2022-05-10</S47ActualStartDate></Section47>
        <ChildProtectionPlans><CPPstartDate>2022-06-01</CPPstartDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2022-08-20</CPPreviewDate><CPPreviewDate>2023-01-15</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child><!-- no LAchildID: the child and its referral are rejected -->
      <ChildIdentifiers><PersonBirthDate>2011-01-01</PersonBirthDate><Sex>1</Sex></ChildIdentifiers>
      <CINdetails><CINreferralDate>2022-09-09</CINreferralDate></CINdetails>
    </Child>
    <Child><!-- A3: a referral with no date (rejected) holding a CIN plan ending before it starts (flagged) -->
      <ChildIdentifiers><LAchildID>A3</LAchildID><PersonBirthDate>2019-12-05</PersonBirthDate><Sex>2</Sex>
      </ChildIdentifiers>
      <CINdetails><ReferralSource>2B</ReferralSource>
        <CINPlanDates><CINPlanStartDate>2023-01-10</CINPlanStartDate><CINPlanEndDate>2022-12-01</CINPlanEndDate>
        </CINPlanDates>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

CIN_2024 = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
    <ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>
    <Child><!-- A1 again (GenderCurrent): the referral and CIN plan now closed -->
      <ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-03-27</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails><CINreferralDate>2022-10-06</CINreferralDate><ReferralSource>1A</ReferralSource>
        <CINclosureDate>2023-09-30</CINclosureDate><ReasonForClosure>RC1</ReasonForClosure><ReferralNFA>0</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2022-10-07</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2022-11-01</AssessmentAuthorisationDate></Assessments>
        <CINPlanDates><CINPlanStartDate>2022-11-10</CINPlanStartDate><CINPlanEndDate>2023-09-30</CINPlanEndDate>
        </CINPlanDates>
      </CINdetails>
    </Child>
    <Child><!-- A4: an NFA referral, and one dated after the reference date (flagged) -->
      <ChildIdentifiers><LAchildID>A4</LAchildID><PersonBirthDate>2010-01-02</PersonBirthDate>
        <GenderCurrent>9</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>REFU</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2024-01-05</CINreferralDate><ReferralSource>3A</ReferralSource>
        <ReferralNFA>1</ReferralNFA><CINclosureDate>2024-01-05</CINclosureDate></CINdetails>
      <CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>3A</ReferralSource>
        <ReferralNFA>0</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""

WORKFORCE = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CSWW</Collection><Year>2023</Year>
    <ReferenceDate>2023-09-30</ReferenceDate></CollectionDetails></Header>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW1001</SWENo><FTE>1.0</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2019-09-01</RoleStartDate><RoleEndDate>2023-08-31</RoleEndDate><Cases30>0</Cases30></CSWWWorker>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW1002</SWENo><FTE>0.8</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2021-01-04</RoleStartDate><Cases30>14</Cases30></CSWWWorker>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><FTE>1</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2020-01-01</RoleStartDate></CSWWWorker>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW1003</SWENo><FTE>1.5</FTE><OrgRole>4</OrgRole>
    <RoleStartDate>2018-04-01</RoleStartDate></CSWWWorker>
</Message>
"""

BOM = "\ufeff"
HEADER_CSV = (
    BOM
    + """CHILD,SEX,DOB,ETHNIC,UPN,Forename,MOTHER,MC_DOB
L1,1,03/04/2008,WBRI,A123456789012,Secret,,
L2,2,15/09/2010,BAFR,,Hidden,,
,1,01/01/2009,WBRI,,,,
"""
)
EPISODES_CSV = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
L1,01/04/2022,S,C2,N1,U1,PR1,15/06/2023,X1,,,,
L1,15/06/2023,P,C2,N1,U3,PR1,,,CHANGE,,,
L2,01/01/2024,S,V2,N2,U1,PR1,01/12/2023,E4A,,,,
L2,31/02/2024,S,V2,N2,U1,PR1,,,,,,
L2,10/02/2024,S,V2,N2,U1,PR1,13/13/2024,,,,,
L1,01/07/2024,P,C2,N1,U1,PR1,,,,,,
"""
UASC_CSV = "CHILD,SEX,DOB,DUC\nL2,2,15/09/2010,15/09/2028\n"
SW_CSV = (
    BOM
    + """CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON
L1,03/04/2008,SW1001,01/04/2022,15/06/2023,CHCHAN
L1,03/04/2008,SW1002,15/06/2023,,
L2,15/09/2010,SW1002,01/01/2024,,
L2,15/09/2010,,01/02/2024,,
"""
)
REVIEWS_CSV = "CHILD,DOB,REVIEW,REVIEW_CODE\nL1,03/04/2008,01/05/2022,PN1\nL1,03/04/2008,01/11/2022,PN1\n"

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
ANNEX_A = {
    "List 1": (
        COMMON + ["Date of Contact", "Contact Source"],
        [["C9", "a) Male", "WBRI", datetime(2014, 1, 1), 10, datetime(2024, 1, 1), "1A"]],
    ),
    "List 3": (
        COMMON
        + [
            "Date of referral",
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
            "Allocated Team",
            "Allocated Worker",
        ],
        [
            ["X1", "a) Male", "WBRI", datetime(2016, 5, 5), 7, datetime(2024, 2, 1), "1A", "a) Yes", 1, "", ""],
            [None, "b) Female", "WBRI", datetime(2016, 5, 5), 7, datetime(2024, 2, 2), "1A", "b) No", 1, "", ""],
        ],
    ),
    # Headers in odd case and spacing, a date as text: matched all the same.
    "List 4 assessments": (
        [
            "child unique id",
            "GENDER",
            "ethnicity",
            "date of  birth",
            "Age of Child (Years)",
            " continuous assessment START date ",
            "Child Seen During Continuous Assessment",
            "Continuous Assessment Date of Authorisation",
            "Was the child assessed as requiring LA children's social care support?",
            "Allocated Team",
            "Allocated Worker",
        ],
        [
            [
                "X1",
                "a) Male",
                "WBRI",
                "05/05/2016",
                7,
                "02/02/2024",
                "a) Yes",
                datetime(2024, 3, 1),
                "b) No",
                "Assessment Team",
                "Pat Smith",
            ]
        ],
    ),
    "List 7": (
        COMMON
        + [
            "Child Protection Plan Start Date",
            "Initial Category of Abuse",
            "Latest Category of Abuse",
            "Date of the Last Statutory Visit",
            "Date of latest review conference",
            "Child Protection Plan End Date",
            "Number of Previous Child Protection Plans",
            "Allocated Team",
            "Allocated Worker",
        ],
        [
            [
                "A2",
                "b) Female",
                "BAFR",
                datetime(2012, 7, 15),
                11,
                datetime(2022, 6, 1),
                "b) Physical",
                "a) Neglect",
                datetime(2024, 3, 20),
                datetime(2024, 1, 10),
                None,
                0,
                "CP Team 1",
                "Jo Bloggs",
            ],
            [
                "X2",
                "a) Male",
                "WBRI",
                datetime(2013, 1, 1),
                11,
                "not a date",
                "",
                "",
                None,
                None,
                None,
                0,
                "CP Team 1",
                "Jo Bloggs",
            ],
        ],
    ),
    "List 8": (
        COMMON
        + [
            "Date Started to be Looked After",
            "Child's Legal Status",
            "Date of Latest Statutory Review",
            "Date of Last Social Work Visit",
            "Date Ceased to be Looked After",
            "Reason Ceased to be Looked After",
            "Allocated Team",
            "Allocated Worker",
            "Child's Surname",
        ],
        [
            [
                "L1",
                "a) Male",
                "WBRI",
                datetime(2008, 4, 3),
                16,
                datetime(2023, 6, 15),
                "C2",
                None,
                datetime(2024, 3, 25),
                None,
                None,
                "LAC Team",
                "SW1002",
                "Doe",
            ]
        ],
    ),  # a name column: refused
}


def write_cin(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    a, b = folder / "cin_2024.xml", folder / "cin_2023.xml"
    a.write_text(CIN_2024, encoding="utf-8")
    b.write_text(CIN_2023, encoding="utf-8")
    return [a, b]  # given out of order on purpose: merged by ReferenceDate


def write_903(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (
        ("header.csv", HEADER_CSV),
        ("episodes.csv", EPISODES_CSV),
        ("uasc.csv", UASC_CSV),
        ("sw_episodes.csv", SW_CSV),
        ("reviews.csv", REVIEWS_CSV),
    ):
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def write_workforce(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "csww_2023.xml"
    p.write_text(WORKFORCE, encoding="utf-8")
    return p


def write_annex_a(folder: Path) -> Path:
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Annex A extract, synthetic test data"])
    for title, (header, rows) in ANNEX_A.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for r in rows:
            ws.append(r)
    p = folder / "annex_a.xlsx"
    wb.save(p)
    return p


def write_all(root: Path) -> dict:
    return dict(
        annex_a=[write_annex_a(root / "annex")],
        cin_census=write_cin(root / "cin"),
        ssda903=[write_903(root / "903_2024")],
        workforce=[write_workforce(root / "csww")],
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol3;</LAchildID></ChildIdentifiers></Child></Children>
</Message>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&xxe;</LAchildID></ChildIdentifiers></Child></Children>
</Message>
"""
