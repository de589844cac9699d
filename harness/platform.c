// SPDX-License-Identifier: GPL-2.0
/* platform.c - see platform.h. */
#include "platform.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcidev.h"
#include "util.h"

static int parse_type(const char *s, enum vct_resv_type *out)
{
	int t;

	for (t = 0; t < VCT_RESV_NTYPES; t++)
		if (!strcmp(s, vct_resv_type_name((enum vct_resv_type)t))) {
			*out = (enum vct_resv_type)t;
			return 0;
		}
	return -EINVAL;
}

/* "start-end:type" -> region. */
static int parse_resv_token(char *tok, struct vct_resv_region *r)
{
	char *dash = strchr(tok, '-');
	char *colon = strrchr(tok, ':');

	if (!dash || !colon || colon < dash)
		return -EINVAL;
	*dash = '\0';
	*colon = '\0';
	if (vct_parse_u64(tok, 0, &r->start) ||
	    vct_parse_u64(dash + 1, 0, &r->end) || r->start > r->end)
		return -EINVAL;
	return parse_type(colon + 1, &r->type);
}

/* Whether tok parses, as add_resv_token would see it. */
static int check_resv_token(const char *name, unsigned int entry, const char *tok,
			    struct vct_err *err)
{
	struct vct_resv_region r;
	char copy[128];

	snprintf(copy, sizeof(copy), "%s", tok);
	if (!parse_resv_token(copy, &r))
		return 0;
	return vct_errf(err, EINVAL,
			"%s: entry %u '%s' is not start-end:type (hex bounds, start <= end, a reserved_regions type)",
			name, entry, tok);
}

/*
 * Append the "start-end:type" token `tok` of list `name` (entry number
 * `entry`, for messages) to out.  0, -ENOMEM, -EINVAL (err says where).
 */
static int add_resv_token(const char *name, unsigned int entry, const char *tok,
			  struct vct_resv_list *out, struct vct_err *err)
{
	struct vct_resv_region *nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
	char copy[128];

	if (!nv)
		return -ENOMEM;
	out->v = nv;
	snprintf(copy, sizeof(copy), "%s", tok);
	if (parse_resv_token(copy, &out->v[out->n])) {
		snprintf(copy, sizeof(copy), "%s", tok);
		return vct_errf(err, EINVAL,
				"%s: entry %u '%s' is not start-end:type (hex bounds, start <= end, a reserved_regions type)",
				name, entry, copy);
	}
	out->v[out->n].line = entry;
	out->n++;
	return 0;
}

/*
 * Parse the whitespace-separated words of $var.  With `bdf` the words are
 * BDF=start-end:type and only those of that device are kept; without, they
 * are start-end:type.
 */
static int parse_resv_env(const char *var, const char *bdf,
			  struct vct_resv_list *out, struct vct_err *err)
{
	const char *env = getenv(var);
	char *list, *tok, *save = NULL;
	unsigned int n = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "$%s", var);
	if (!env)
		return vct_errf(err, ENOENT, "%s is not set", var);
	list = strdup(env);
	if (!list)
		return -ENOMEM;
	for (tok = strtok_r(list, " \t\n", &save); tok && !ret;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(tok, '=');
		char canon[VCT_BDF_LEN];

		n++;
		if (!bdf) {
			ret = add_resv_token(out->path, n, tok, out, err);
			continue;
		}
		if (!eq) {
			ret = vct_errf(err, EINVAL, "%s: entry %u '%s' is not BDF=start-end:type",
				       out->path, n, tok);
			break;
		}
		*eq = '\0';
		if (vct_bdf_canon(tok, canon)) {
			ret = vct_errf(err, EINVAL, "%s: entry %u: '%s' is not a PCI address",
				       out->path, n, tok);
			break;
		}
		if (!strcmp(canon, bdf))
			ret = add_resv_token(out->path, n, eq + 1, out, err);
		else	/* still checked: a malformed entry is an error for every device */
			ret = check_resv_token(out->path, n, eq + 1, err);
	}
	free(list);
	if (ret)
		vct_resv_free(out);
	return ret;
}

int __vct_expected_resv(struct vct_resv_list *out, struct vct_err *err)
{
	return parse_resv_env("VCT_EXPECT_RESV", NULL, out, err);
}

int __vct_expected_resv_dev(const char *bdf, struct vct_resv_list *out,
			    struct vct_err *err)
{
	char canon[VCT_BDF_LEN];
	int ret;

	if (vct_bdf_canon(bdf, canon))
		return vct_errf(err, EINVAL, "'%s' is not a PCI address", bdf);
	ret = parse_resv_env("VCT_EXPECT_RESV_DEV", canon, out, err);
	if (ret == -ENOENT) {	/* unset: the profile gives no device anything */
		memset(out, 0, sizeof(*out));
		ret = 0;
	}
	return ret;
}

bool vct_profile_has_resv_dev(void)
{
	const char *env = getenv("VCT_EXPECT_RESV_DEV");

	return env && env[strspn(env, " \t\n")];
}

int vct_vtd_aperture(uint64_t cap, uint64_t ecap, struct vct_range *out,
		     char *how, size_t how_len)
{
	/* Register fields (VT-d spec 11.4.2/11.4.3; kernel intel/iommu.h). */
	unsigned int sagaw = (unsigned int)(cap >> 8) & 0x1f;
	unsigned int mgaw = (unsigned int)((cap >> 16) & 0x3f) + 1;
	bool smts = (ecap >> 43) & 1, flts = (ecap >> 47) & 1;
	int agaw, width = 0;

	/*
	 * In scalable mode with first-stage support the kernel's choice of
	 * widths depends on intel_iommu=sm_on/off, which sysfs does not show.
	 */
	if (smts && flts) {
		snprintf(how, how_len,
			 "VT-d cap 0x%llx ecap 0x%llx: scalable mode with first-stage tables, aperture depends on the kernel's mode; set VCT_APERTURE_BITS in the profile",
			 (unsigned long long)cap, (unsigned long long)ecap);
		return -ENOENT;
	}
	/*
	 * intel-iommu: agaw = the largest SAGAW level whose width
	 * (30 + 9 * agaw) is <= 57 (DEFAULT_DOMAIN_ADDRESS_WIDTH); the domain
	 * address width is that width capped by MGAW, and an unmanaged
	 * (VFIO) second-stage domain's aperture is [0, 2^width - 1].
	 */
	for (agaw = 3; agaw >= 0; agaw--)
		if (sagaw & (1u << agaw)) {
			width = 30 + 9 * agaw;
			break;
		}
	if (!width) {
		snprintf(how, how_len, "VT-d cap 0x%llx: no SAGAW level set",
			 (unsigned long long)cap);
		return -ENOENT;
	}
	if ((unsigned int)width > mgaw)
		width = (int)mgaw;
	out->start = 0;
	out->last = width >= 64 ? UINT64_MAX : (1ull << width) - 1;
	snprintf(how, how_len, "VT-d cap 0x%llx: SAGAW 0x%x, MGAW %u -> %d-bit aperture",
		 (unsigned long long)cap, sagaw, mgaw, width);
	return 0;
}

/* The hardware's answer: 0, or -ENOENT with `how` saying why not. */
static int hw_aperture(const char *bdf, struct vct_range *out, char *how,
		       size_t how_len)
{
	char dir[128], path[160];
	uint64_t cap, ecap;
	int ret = __vct_pci_iommu_dir(bdf, dir, sizeof(dir));

	if (ret) {
		snprintf(how, how_len, "%s: no IOMMU in sysfs (%s)", bdf,
			 vct_errno_name(-ret));
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/intel-iommu/cap", dir);
	if (__vct_read_u64(path, 16, &cap)) {
		snprintf(how, how_len,
			 "%s: IOMMU %s is not Intel VT-d; its aperture is not derived here",
			 bdf, dir);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/intel-iommu/ecap", dir);
	ret = __vct_read_u64(path, 16, &ecap);
	if (ret) {
		snprintf(how, how_len, "%s: %s", path, vct_errno_name(-ret));
		return -ENOENT;
	}
	return vct_vtd_aperture(cap, ecap, out, how, how_len);
}

/* The profile's answer: 0, -ENOENT when it gives none, -EINVAL malformed. */
static int profile_aperture(struct vct_range *out, char *how, size_t how_len)
{
	const char *range = getenv("VCT_APERTURE");
	const char *bits = getenv("VCT_APERTURE_BITS");
	uint64_t v;

	if (range) {
		char buf[64], *dash;

		snprintf(buf, sizeof(buf), "%s", range);
		dash = strchr(buf, '-');
		if (!dash)
			goto bad;
		*dash = '\0';
		if (vct_parse_u64(buf, 0, &out->start) ||
		    vct_parse_u64(dash + 1, 0, &out->last) ||
		    out->start > out->last)
			goto bad;
		snprintf(how, how_len, "profile VCT_APERTURE=%s", range);
		return 0;
	}
	if (bits) {
		if (vct_parse_u64(bits, 10, &v) || v < 12 || v > 64)
			goto bad;
		out->start = 0;
		out->last = v == 64 ? UINT64_MAX : (1ull << v) - 1;
		snprintf(how, how_len, "profile VCT_APERTURE_BITS=%s", bits);
		return 0;
	}
	return -ENOENT;
bad:
	snprintf(how, how_len, "profile: malformed VCT_APERTURE%s='%s'",
		 range ? "" : "_BITS", range ? range : bits);
	return -EINVAL;
}

int __vct_aperture(const char *bdf, struct vct_range *out, char *how,
		   size_t how_len)
{
	struct vct_range hw, prof;
	char hw_how[1024], prof_how[128];
	int hret, pret;

	hret = hw_aperture(bdf, &hw, hw_how, sizeof(hw_how));
	pret = profile_aperture(&prof, prof_how, sizeof(prof_how));
	if (pret == -EINVAL) {
		snprintf(how, how_len, "%s", prof_how);
		return pret;
	}
	if (hret && pret) {
		snprintf(how, how_len,
			 "aperture unknown: %s, and the profile sets neither VCT_APERTURE nor VCT_APERTURE_BITS",
			 hw_how);
		return -ENOENT;
	}
	if (!hret && !pret &&
	    (hw.start != prof.start || hw.last != prof.last)) {
		snprintf(how, how_len,
			 "hardware and profile disagree: %s gives [0x%llx-0x%llx], %s gives [0x%llx-0x%llx]",
			 hw_how, (unsigned long long)hw.start,
			 (unsigned long long)hw.last, prof_how,
			 (unsigned long long)prof.start,
			 (unsigned long long)prof.last);
		return -EINVAL;
	}
	*out = hret ? prof : hw;
	snprintf(how, how_len, "%s%s%s", hret ? "" : hw_how,
		 !hret && !pret ? ", agreeing with " : "", pret ? "" : prof_how);
	return 0;
}
