"""The demo page in headless Chromium, against a real `staffdesk demo`: a person asks, the PM approves from
the DM, the thread and App Home show it; and no text anyone writes runs as code in the page."""

from __future__ import annotations

from datetime import date

from selenium.webdriver.common.by import By

from app.demo.runner import next_working_days
from tests.browser.conftest import DemoPage

CHANNEL = "C0STAFFING"
MARTA_APP = "D0MARTA"
ANA_APP = "D0ANA"
SCRIPT = '<script>window.injected = 1</script><img src="x" onerror="window.injected = 2">'


def test_a_requester_allocates_the_pm_approves_and_the_thread_and_app_home_show_it(page: DemoPage) -> None:
    first, second = next_working_days(date.today(), 2)
    page.become("U0MARTA")
    page.open(CHANNEL)
    page.type(f"/allocate apollo {first}..{second} 4h")
    page.shows("#modal", "Allocate", "Apollo Website")
    page.pick("person_block", "Marta Gallo (@marta)")
    page.shows("#modal", "This will create 2 allocations")
    page.shot("requester-fills-in-the-allocation")

    page.find("#modal [data-submit]").click()
    page.shows("#modal", "Request sent", "for approval")
    page.shot("request-sent")
    page.find("#modal [data-close]").click()
    page.closed_modal()
    page.shows("#main", "Waiting for approval from @Ana Rossi or @Irene Moretti")
    page.shot("the-channel-shows-it-waiting")

    page.become("U0ANA")
    page.open(ANA_APP, tab="messages")
    page.shows("#main", "@Marta Gallo asks for your approval", "Approve")
    page.shot("the-pm-is-asked-in-a-dm")
    page.click("main", "Approve")
    page.shows("#main", "Approved by @Ana Rossi")
    assert not page.driver.find_elements(By.XPATH, '//*[@id="main"]//button[normalize-space()="Approve"]')
    page.shot("the-pm-approved")

    page.become("U0MARTA")
    page.open(CHANNEL)
    page.shows("#main", "Done", "2 replies")
    page.driver.find_elements(By.CSS_SELECTOR, "#main .replies")[-1].click()
    page.shows("#thread", "Approved by @Ana Rossi", "Done: Allocated 4 h a day for 2 days in Wethod")
    page.shot("the-thread-shows-the-result")

    page.open(MARTA_APP, tab="home")
    page.shows("#main", "Your requests", "Allocation: Marta Gallo on Apollo Website", "Done")
    page.shot("app-home-lists-it")


def test_markup_anyone_writes_shows_as_text_and_never_runs(page: DemoPage) -> None:
    third, fourth = next_working_days(date.today(), 4)[2:]
    page.become("U0MARTA")
    page.open(CHANNEL)
    page.type(f"hello {SCRIPT} *bold*")
    page.shows("#main", f"hello {SCRIPT} bold")
    page.type(f"/allocate @marta apollo {third}..{fourth} 2h")
    page.shows("#modal", "Allocate", "Apollo Website")
    page.find("#modal [data-submit]").click()
    page.shows("#modal", "Request sent")
    page.find("#modal [data-close]").click()
    page.closed_modal()

    page.become("U0ANA")
    page.open(ANA_APP, tab="messages")
    page.shows("#main", "2 h a day")
    page.click("main", "Reject")
    page.shows("#modal", "Reject request")
    page.find('#modal [data-block-id="reason_block"] textarea').send_keys(f"No: {SCRIPT}")
    page.shot("the-pm-rejects-with-markup")
    page.find("#modal [data-submit]").click()
    page.closed_modal()

    page.become("U0MARTA")
    page.open(CHANNEL)
    page.shows("#main", "Rejected")
    page.driver.find_elements(By.CSS_SELECTOR, "#main .replies")[-1].click()
    page.shows("#thread", f"Rejected by @Ana Rossi: No: {SCRIPT}")
    page.shot("the-reason-shows-as-text")
    assert page.driver.execute_script("return window.injected") is None
    assert (
        page.driver.find_elements(By.CSS_SELECTOR, "#main script, #main img, #thread script, #thread img")
        == []
    )
    assert page.find("#main").find_elements(By.TAG_NAME, "b")
