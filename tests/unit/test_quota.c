/* Tests of quota: per-address connection caps and token-bucket request rates. */
#include <stdio.h>

#include "quota.h"
#include "tap.h"

static void
test_open_cap(void)
{
	struct quota	*l = quota_new(2, 0);
	int		 counted;

	is_int(quota_admit(l, "10.0.0.1", 0, &counted), 0, "first connection admitted");
	is_int(quota_admit(l, "10.0.0.1", 0, &counted), 0, "second connection admitted");
	ok(quota_admit(l, "10.0.0.1", 0, &counted) > 0, "third from the same address is told to wait");
	is_int(quota_admit(l, "10.0.0.2", 0, &counted), 0, "another address is not affected");
	quota_release(l, "10.0.0.1", 10);
	is_int(quota_admit(l, "10.0.0.1", 10, &counted), 0, "a released slot can be taken again");
	quota_release(l, "10.0.0.1", 20);
	quota_release(l, "10.0.0.1", 20);
	quota_release(l, "10.0.0.2", 20);
	quota_free(l);
}

static void
test_rate(void)
{
	struct quota	*l = quota_new(0, 5);
	int		 i, admitted = 0, wait = 0, counted;

	for (i = 0; i < 10; i++) {
		int w = quota_admit(l, "::1", 1000, &counted);
		if (w == 0) {
			admitted++;
			quota_release(l, "::1", 1000);
		} else
			wait = w;
	}
	is_int(admitted, 5, "a burst admits one second's worth (5)");
	ok(wait >= 1, "the rest are told to wait at least a second");
	is_int(quota_admit(l, "::1", 1200, &counted), 0, "one token back after 200 ms at 5/s");
	quota_release(l, "::1", 1200);
	ok(quota_admit(l, "::1", 1200, &counted) > 0, "and only one");
	is_int(quota_admit(l, "::1", 3000, &counted), 0, "refilled after a pause");
	quota_release(l, "::1", 3000);
	quota_free(l);
}

static void
test_unlimited(void)
{
	struct quota	*l = quota_new(0, 0);
	int		 i, refused = 0, counted;

	for (i = 0; i < 10000; i++)
		refused += quota_admit(l, "192.0.2.1", 0, &counted) != 0;
	is_int(refused, 0, "no limits: everything admitted");
	quota_free(l);
}

static void
test_many_addresses(void)
{
	struct quota	*l = quota_new(1, 0);
	char		 addr[32];
	int		 i, ok_all = 1, counted;

	for (i = 0; i < 20000; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		ok_all &= quota_admit(l, addr, (uint64_t)i, &counted) == 0;
		quota_release(l, addr, (uint64_t)i);
	}
	ok(ok_all, "20,000 distinct addresses, each admitted once");
	quota_free(l);
}

/*
 * A connection releases what it took, whatever the limits are when it
 * closes (SIGHUP changes them): switched off and on again, the limit must
 * neither keep counting connections gone nor count those it never took.
 */
static void
test_limit_off_and_on(void)
{
	struct quota	*l = quota_new(3, 0);
	int		 taken[3], loose[3], all = 1, none = 0, again = 1, i;
	int		 counted;

	for (i = 0; i < 3; i++) {
		all &= quota_admit(l, "10.0.0.1", 0, &taken[i]) == 0;
		all &= taken[i];
	}
	ok(all, "with a limit, connections are admitted and counted");
	quota_set(l, 0, 0);
	for (i = 0; i < 3; i++) {
		none |= quota_admit(l, "10.0.0.1", 10, &loose[i]) != 0;
		none |= loose[i];
	}
	ok(!none, "without one, admitted and not counted");
	for (i = 0; i < 3; i++)
		if (taken[i])
			quota_release(l, "10.0.0.1", 20);
	quota_set(l, 3, 0);
	for (i = 0; i < 3; i++) {
		again &= quota_admit(l, "10.0.0.1", 30, &counted) == 0;
		again &= counted;
	}
	ok(again, "off and on again: the 3 released while it was off no longer count");
	ok(quota_admit(l, "10.0.0.1", 30, &counted) > 0 && !counted,
	    "and the 3 never counted are not either: exactly 3 open, a 4th waits");
	for (i = 0; i < 3; i++)
		quota_release(l, "10.0.0.1", 40);
	quota_free(l);
}

int
main(void)
{
	test_open_cap();
	test_rate();
	test_unlimited();
	test_many_addresses();
	test_limit_off_and_on();
	return done_testing();
}
