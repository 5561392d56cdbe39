import re
from datetime import date, datetime
from lms import clock as C
from tests.conftest import sign_in

def txt(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

def test_walk(world, client, make_user, give_certificate):
    rm = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan, position="rm_junior")
    cert = give_certificate(rm, world.rmq, issued_on=date(2025, 12, 31), expires_on=date(2026, 12, 31))
    rm2 = make_user(("learner",), employee_no="r02", name="乙一月", branch=world.lusong, position="rm_junior")
    give_certificate(rm2, world.rmq, issued_on=date(2026, 1, 15), expires_on=date(2027, 1, 15))
    for at in (datetime(2026, 12, 31, 15, 30), datetime(2026, 12, 31, 16, 30)):
        C.freeze(at)
        print("=====", at, C.today())
        sign_in(client, world.hr)
        for url in ["/", "/certificates/", "/certificates/expiring", "/certificates/expiring?within=30", f"/certificates/{cert.id}",
                    "/eligibility/monitor", f"/eligibility/people/{rm.id}", f"/org/people/{rm.id}", f"/verify/{cert.verify_code}",
                    "/certificates/export.csv", "/certificates/expiring/export.csv", "/eligibility/export.csv"]:
            r = client.get(url)
            print("---", url, r.status_code)
            print(txt(r.get_data(as_text=True))[:2500])
        sign_in(client, rm)
        print("--- mine", txt(client.get("/certificates/mine").get_data(as_text=True))[:2000])
        sign_in(client, world.manager)
        print("--- manager home", txt(client.get("/").get_data(as_text=True))[:3000])
