// SPDX-License-Identifier: GPL-2.0
/* platform.c - see platform.h. */
#include "platform.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

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

static int platform_common_resv(struct vct_resv_list *out, char *how, size_t how_len);

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
	if (!env || !env[strspn(env, " \t\n")])
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

/* The profile's list: 0, -ENOENT unset or empty, -EINVAL malformed. */
static int profile_resv(struct vct_resv_list *out, struct vct_err *err)
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

static void bits_range(struct vct_range *out, unsigned int bits)
{
	out->start = 0;
	out->last = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

int vct_amdvi_aperture(uint64_t efr, bool pgtbl_v2, bool la57, unsigned int kmajor,
		       unsigned int kminor, struct vct_range *out, char *how, size_t how_len)
{
	/* amd_iommu_types.h: FEATURE_GT bit 4, FEATURE_GATS 13:12, FEATURE_GIOSUP bit 48 */
	bool gt = (efr >> 4) & 1, giosup = (efr >> 48) & 1;
	unsigned int gats = (unsigned int)(efr >> 12) & 3, level, bits;

	if (kmajor != 6 || kminor > 12) {
		snprintf(how, how_len,
			 "AMD-Vi EFR 0x%llx: the aperture is derived from Linux 6.1-6.12's amd/iommu.c (dma_max_address), not for Linux %u.%u",
			 (unsigned long long)efr, kmajor, kminor);
		return -ENOENT;
	}
	if (!pgtbl_v2 || !gt || !giosup) {
		/* "if (amd_iommu_pgtable == AMD_IOMMU_V1) return ~0ULL;" */
		bits_range(out, 64);
		snprintf(how, how_len, "AMD-Vi EFR 0x%llx: v1 page table%s -> 64-bit aperture",
			 (unsigned long long)efr,
			 pgtbl_v2 ? " (pgtbl_v2 asked for, but EFR lacks GTSup/GIOSup: the kernel falls back)" : "");
		return 0;
	}
	/* init.c: PAGE_MODE_5_LEVEL when LA57 and GATS == GUEST_PGTABLE_5_LEVEL */
	level = la57 && gats == 1 ? 5 : 4;
	bits = 12 + 9 * level - 1;	/* PM_LEVEL_SHIFT(level) - 1: the sign bit chopped off */
	bits_range(out, bits);
	snprintf(how, how_len, "AMD-Vi EFR 0x%llx: v2 page table, %u levels -> %u-bit aperture",
		 (unsigned long long)efr, level, bits);
	return 0;
}

#define SMMU_FEAT_TRANS_S1	(1u << 9)	/* ARM_SMMU_FEAT_TRANS_S1, arm-smmu-v3.h */
#define SMMU_FEAT_TRANS_S2	(1u << 10)
#define SMMU_FEAT_VAX		(1u << 14)

int vct_smmuv3_aperture(unsigned int ias, uint32_t features, unsigned int va_bits,
			struct vct_range *out, char *how, size_t how_len)
{
	unsigned int bits;

	if (!(features & (SMMU_FEAT_TRANS_S1 | SMMU_FEAT_TRANS_S2))) {
		snprintf(how, how_len, "SMMUv3 features 0x%08x: neither stage 1 nor stage 2", features);
		return -ENOENT;
	}
	if (features & SMMU_FEAT_TRANS_S1) {
		/* "ias = (smmu->features & ARM_SMMU_FEAT_VAX) ? 52 : 48; min_t(..., ias, VA_BITS)" */
		if (!va_bits) {
			snprintf(how, how_len,
				 "SMMUv3 features 0x%08x: stage 1, but the kernel's VA_BITS is unknown (no /boot/config-RELEASE)",
				 features);
			return -ENOENT;
		}
		bits = features & SMMU_FEAT_VAX ? 52 : 48;
		if (va_bits < bits)
			bits = va_bits;
		snprintf(how, how_len,
			 "SMMUv3 features 0x%08x: stage 1, %s, VA_BITS %u -> %u-bit aperture", features,
			 features & SMMU_FEAT_VAX ? "VAX (52-bit VA)" : "no VAX (48-bit VA)", va_bits, bits);
	} else {
		/* stage 2 only: "pgtbl_cfg.ias = smmu->ias" */
		bits = ias;
		snprintf(how, how_len, "SMMUv3 features 0x%08x: stage 2 only, IAS %u -> %u-bit aperture",
			 features, ias, bits);
	}
	if (bits < 32 || bits > 64) {
		snprintf(how, how_len, "SMMUv3: a %u-bit aperture is not plausible", bits);
		return -ENOENT;
	}
	bits_range(out, bits);
	return 0;
}

int vct_smmuv3_probe_line(const char *line, unsigned int *ias, unsigned int *oas,
			  uint32_t *features)
{
	/* arm_smmu_device_hw_probe(): "ias %lu-bit, oas %lu-bit (features 0x%08x)\n" */
	const char *p = strstr(line, "ias ");

	if (!p || sscanf(p, "ias %u-bit, oas %u-bit (features 0x%x)", ias, oas, features) != 3)
		return -EINVAL;
	return 0;
}

/* The running kernel's CONFIG_ARM64_VA_BITS from /boot/config-RELEASE; 0 if unknown. */
static unsigned int kernel_va_bits(void)
{
	struct utsname u;
	char path[320], line[256];
	unsigned int v = 0;
	FILE *f;

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!v && fgets(line, sizeof(line), f))
		if (sscanf(line, "CONFIG_ARM64_VA_BITS=%u", &v) != 1)
			v = 0;
	fclose(f);
	return v;
}

/*
 * The SMMUv3 driver's probe line for the SMMU platform device `name` from
 * the kernel log (/dev/kmsg, read from its start): 0, -ENOENT when it is not
 * there (rotated out of the log buffer, or no permission).
 */
static int smmuv3_probe_figures(const char *name, unsigned int *ias, unsigned int *oas,
				uint32_t *features)
{
	char rec[2048], want[160];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int ret = -ENOENT;
	ssize_t n;

	if (fd < 0)
		return -ENOENT;
	snprintf(want, sizeof(want), "arm-smmu-v3 %.120s: ias ", name);
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten while reading */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, want) && !vct_smmuv3_probe_line(strstr(rec, want), ias, oas, features)) {
			ret = 0;
			break;
		}
	}
	close(fd);
	return ret;
}

/* Whether /proc/cmdline's amd_iommu= options ask for the v2 page table. */
static bool amd_pgtbl_v2(void)
{
	char line[4096], *p, *tok, *save = NULL;
	bool v2 = false;
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (p = strtok_r(line, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save)) {
		char *s2 = NULL;

		if (strncmp(p, "amd_iommu=", 10))
			continue;
		/* parse_amd_iommu_options(): comma-separated, the last pgtbl_v* wins */
		for (tok = strtok_r(p + 10, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
			if (!strcmp(tok, "pgtbl_v2"))
				v2 = true;
			else if (!strcmp(tok, "pgtbl_v1"))
				v2 = false;
		}
	}
	return v2;
}

/* Whether the CPU has 5-level paging (x86 LA57) enabled. */
static bool cpu_la57(void)
{
	char line[8192];
	bool hit = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f))
		hit = !strncmp(line, "flags", 5) && strstr(line, " la57");
	fclose(f);
	return hit;
}

static int amdvi_hw_aperture(uint64_t efr, struct vct_range *out, char *how, size_t how_len)
{
	struct vct_kver k = { 0 };

	(void)__vct_kernel_version(&k);
	return vct_amdvi_aperture(efr, amd_pgtbl_v2(), cpu_la57(), k.major, k.minor, out, how,
				  how_len);
}

static int smmuv3_hw_aperture(const char *bdf, const char *dir, struct vct_range *out,
			      char *how, size_t how_len)
{
	char link[512], path[320];
	const char *name;
	unsigned int ias, oas;
	uint32_t features;
	ssize_t n;

	/* the IOMMU's sysfs device is the SMMU's platform device, the log's name */
	snprintf(path, sizeof(path), "%s/device", dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(how, how_len, "%s: %s: %s", bdf, path, vct_errno_name(errno));
		return -ENOENT;
	}
	link[n] = '\0';
	name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (smmuv3_probe_figures(name, &ias, &oas, &features)) {
		snprintf(how, how_len,
			 "%s: SMMUv3 %.120s: its IAS and features are in IDR registers userspace cannot read, and the driver's probe line (\"arm-smmu-v3 %.120s: ias ...\") is not in the kernel log",
			 bdf, name, name);
		return -ENOENT;
	}
	return vct_smmuv3_aperture(ias, features, kernel_va_bits(), out, how, how_len);
}

/* The hardware's answer: 0, or -ENOENT with `how` saying why not. */
static int hw_aperture(const char *bdf, struct vct_range *out, char *how,
		       size_t how_len)
{
	char dir[128], path[160], text[64];
	uint64_t cap, ecap;
	int ret = __vct_pci_iommu_dir(bdf, dir, sizeof(dir));

	if (ret) {
		snprintf(how, how_len, "%s: no IOMMU in sysfs (%s)", bdf,
			 vct_errno_name(-ret));
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/amd-iommu/features", dir);
	if (__vct_read_text(path, text, sizeof(text)) >= 0) {
		/* "EFR:EFR2" in hex (amd_iommu_show_features) */
		text[strcspn(text, ":\n")] = '\0';
		if (vct_parse_u64(text, 16, &cap)) {
			snprintf(how, how_len, "%s: '%s' is not EFR:EFR2 in hex", path, text);
			return -ENOENT;
		}
		return amdvi_hw_aperture(cap, out, how, how_len);
	}
	if (vct_pci_iommu_hw(bdf) == VCT_IOMMU_HW_SMMUV3)
		return smmuv3_hw_aperture(bdf, dir, out, how, how_len);
	snprintf(path, sizeof(path), "%s/intel-iommu/cap", dir);
	if (__vct_read_u64(path, 16, &cap)) {
		snprintf(how, how_len,
			 "%s: IOMMU %s is neither Intel VT-d, AMD-Vi nor SMMUv3; its aperture is not derived here (an SMMUv1/v2's depends on its IDR registers, not visible from userspace)",
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

	/* the runner exports an empty value for a profile without the key */
	if (range && !range[0])
		range = NULL;
	if (bits && !bits[0])
		bits = NULL;

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

/* ---- what the platform itself reports (see platform.h) -------------------- */

#define X86_MSI_START	0xfee00000ull	/* IOAPIC_RANGE_START, intel/iommu.c */
#define X86_MSI_END	0xfeefffffull
#define AMD_HT_START	0xfd00000000ull	/* HT_RANGE_START, amd/amd_iommu_types.h */
#define AMD_HT_END	0xffffffffffull
#define SMMU_MSI_START	0x8000000ull	/* MSI_IOVA_BASE, arm-smmu-v3.h */
#define SMMU_MSI_END	(0x8000000ull + 0x100000ull - 1)	/* + MSI_IOVA_LENGTH */
#define FLOPPY_END	(16ull * 1024 * 1024 - 1)	/* intel/iommu.c, FLOPPY_WA */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/*
 * What every ACPI table parser here checks first: the System Description
 * Table Header (ACPI 6.5, 5.2.6) with the fixed fields the table's own
 * spec adds, `min` bytes in all: at least min bytes, signature `sig`, a
 * Length from min to len, and Length bytes that sum to 0 (the checksum).
 * 0 with *tlen the Length, or -EINVAL with the reason in err (*tlen 0).
 * Each refusal returns -EINVAL itself rather than vct_errf()'s value, so
 * that clang-tidy's analyzer (which cannot see into range.c) knows that 0
 * means the checks passed and buf holds at least min bytes.
 */
static int acpi_table_check(const char *name, const char *sig, size_t min,
			    const uint8_t *buf, size_t len, uint32_t *tlen,
			    struct vct_err *err)
{
	uint8_t sum = 0;
	uint32_t n, i;

	*tlen = 0;
	if (len < min) {
		vct_errf(err, EINVAL, "%s: truncated: %zu bytes, the %.4s header alone is %zu",
			 name, len, sig, min);
		return -EINVAL;
	}
	if (memcmp(buf, sig, 4)) {
		vct_errf(err, EINVAL, "%s: signature '%.4s', not %.4s", name,
			 (const char *)buf, sig);
		return -EINVAL;
	}
	n = le32(buf + 4);
	if (n < min) {
		vct_errf(err, EINVAL, "%s: header length %u, below the %zu-byte header",
			 name, n, min);
		return -EINVAL;
	}
	if (n > len) {
		vct_errf(err, EINVAL, "%s: header length %u, but %zu bytes (truncated)",
			 name, n, len);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		sum = (uint8_t)(sum + buf[i]);
	if (sum) {
		vct_errf(err, EINVAL, "%s: checksum: the %u bytes sum to 0x%02x, not 0",
			 name, n, sum);
		return -EINVAL;
	}
	*tlen = n;
	return 0;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void vct_dmar_free(struct vct_dmar *d)
{
	free(d->rmrr);
	memset(d, 0, sizeof(*d));
}

/* Device scopes in [p, end) of the structure at `off` into r. */
static int dmar_scopes(const char *name, const uint8_t *p, const uint8_t *end,
		       size_t off, struct vct_dmar_rmrr *r, struct vct_err *err)
{
	while (p < end) {
		struct vct_dmar_scope *s;
		unsigned int slen, i;

		if (end - p < 2)
			return vct_errf(err, EINVAL, "%s: offset %#zx: device scope header runs past its RMRR",
					name, off);
		slen = p[1];
		if (slen < 6 || (slen - 6) % 2 || slen > (size_t)(end - p))
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: device scope length %u (want 6 + 2 per hop, within the RMRR's %td remaining bytes)",
					name, off, slen, end - p);
		if ((slen - 6) / 2 > VCT_DMAR_MAX_PATH || r->nscopes == VCT_DMAR_MAX_SCOPES)
			return vct_errf(err, EINVAL, "%s: offset %#zx: more than %d scopes or a path of more than %d hops",
					name, off, VCT_DMAR_MAX_SCOPES, VCT_DMAR_MAX_PATH);
		s = &r->scopes[r->nscopes++];
		s->type = p[0];
		s->bus = p[5];
		s->npath = (uint8_t)((slen - 6) / 2);
		for (i = 0; i < s->npath; i++) {
			s->path[i][0] = p[6 + 2 * i];
			s->path[i][1] = p[7 + 2 * i];
		}
		p += slen;
	}
	return 0;
}

int vct_dmar_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_dmar *out, struct vct_err *err)
{
	uint32_t tlen;
	size_t off;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = acpi_table_check(name, "DMAR", 48, buf, len, &tlen, err);
	if (ret)
		return ret;
	out->haw = buf[36] + 1u;
	out->flags = buf[37];
	for (off = 48; off < tlen; ) {
		uint16_t type, slen;

		if (tlen - off < 4) {
			ret = vct_errf(err, EINVAL, "%s: offset %#zx: structure header runs past the table's end (%u)",
				       name, off, tlen);
			vct_dmar_free(out);
			return ret;
		}
		type = le16(buf + off);
		slen = le16(buf + off + 2);
		if (slen < 4 || slen > tlen - off) {
			ret = vct_errf(err, EINVAL,
				       "%s: offset %#zx: structure type %u of length %u (below its 4-byte header or past the table's end, %u)",
				       name, off, type, slen, tlen);
			vct_dmar_free(out);
			return ret;
		}
		if (type == 0) {		/* DRHD */
			if (slen < 16) {
				ret = vct_errf(err, EINVAL, "%s: offset %#zx: DRHD length %u, below 16",
					       name, off, slen);
				vct_dmar_free(out);
				return ret;
			}
			out->ndrhd++;
		} else if (type == 1) {		/* RMRR */
			struct vct_dmar_rmrr *nr, *r;

			if (slen < 24) {
				ret = vct_errf(err, EINVAL, "%s: offset %#zx: RMRR length %u, below 24",
					       name, off, slen);
				vct_dmar_free(out);
				return ret;
			}
			nr = realloc(out->rmrr, (out->nrmrr + 1) * sizeof(*nr));
			if (!nr) {
				vct_dmar_free(out);
				return -ENOMEM;
			}
			out->rmrr = nr;
			r = &nr[out->nrmrr++];
			memset(r, 0, sizeof(*r));
			r->offset = off;
			r->segment = le16(buf + off + 6);
			r->base = le64(buf + off + 8);
			r->limit = le64(buf + off + 16);
			if (r->limit < r->base) {
				/*
				 * rmrr_sanity_check(): "Your BIOS is broken; bad RMRR" -
				 * the kernel warns and keeps it; its region would have
				 * a negative length (found by fuzz_platform)
				 */
				ret = vct_errf(err, EINVAL,
					       "%s: offset %#zx: RMRR [0x%llx-0x%llx] ends before it starts",
					       name, off, (unsigned long long)r->base,
					       (unsigned long long)r->limit);
				vct_dmar_free(out);
				return ret;
			}
			ret = dmar_scopes(name, buf + off + 24, buf + off + slen, off, r, err);
			if (ret) {
				vct_dmar_free(out);
				return ret;
			}
		}
		off += slen;
	}
	return 0;
}

int vct_dmar_scope_bdf(const struct vct_dmar_scope *s, uint16_t segment,
		       const struct vct_pci_topo *topo, char bdf[VCT_BDF_LEN])
{
	unsigned int bus = s->bus, i, sec, sub;

	if ((s->type != 1 && s->type != 2) || !s->npath)
		return -EINVAL;
	for (i = 0; i < s->npath; i++) {
		snprintf(bdf, VCT_BDF_LEN, "%04x:%02x:%02x.%x", segment, bus & 0xff,
			 s->path[i][0] & 0x1f, s->path[i][1] & 0x7);
		if (i + 1 == s->npath)
			break;
		if (topo->bridge(topo->ctx, bdf, &sec, &sub))
			return -ENODEV;
		bus = sec;
	}
	return 0;
}

/* Is `bdf` (on bus b of its segment) below bridge `br`? */
static bool below(const struct vct_pci_topo *topo, const char *br, const char *bdf)
{
	unsigned int sec, sub, seg_b, seg_d, bus;

	if (sscanf(br, "%x:", &seg_b) != 1 || sscanf(bdf, "%x:%x:", &seg_d, &bus) != 2 ||
	    seg_b != seg_d || topo->bridge(topo->ctx, br, &sec, &sub))
		return false;
	return bus >= sec && bus <= sub;
}

static int resv_append(struct vct_resv_list *l, uint64_t start, uint64_t end,
		       enum vct_resv_type type)
{
	struct vct_resv_region *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	nv[l->n].start = start;
	nv[l->n].end = end;
	nv[l->n].type = type;
	nv[l->n].line = (unsigned int)l->n + 1;
	l->n++;
	return 0;
}

int vct_dmar_device_regions(const struct vct_dmar *d, const char *bdf,
			    uint32_t cls, const struct vct_pci_topo *topo,
			    struct vct_resv_list *out, unsigned int *unresolved)
{
	/* device_rmrr_is_relaxable(): IS_USB_DEVICE || IS_GFX_DEVICE */
	bool relax = (cls >> 8) == 0x0c03 || (cls >> 16) == 0x03;
	unsigned int seg = 0;
	size_t i, j;
	int ret;

	if (sscanf(bdf, "%x:", &seg) != 1)
		return -EINVAL;
	for (i = 0; i < d->nrmrr; i++) {
		const struct vct_dmar_rmrr *r = &d->rmrr[i];

		for (j = 0; j < r->nscopes; j++) {
			char at[VCT_BDF_LEN];

			if (r->scopes[j].type != 1 && r->scopes[j].type != 2)
				continue;
			if (vct_dmar_scope_bdf(&r->scopes[j], r->segment, topo, at)) {
				(*unresolved)++;
				continue;
			}
			if (r->segment != seg)
				continue;
			/* i_dev != device && !is_downstream_to_pci_bridge(device, i_dev) */
			if (strcmp(at, bdf) && !below(topo, at, bdf))
				continue;
			ret = resv_append(out, r->base, r->limit,
					  relax ? VCT_RESV_DIRECT_RELAXABLE : VCT_RESV_DIRECT);
			if (ret)
				return ret;
			break;	/* one region per RMRR */
		}
	}
	if ((cls >> 8) == 0x0601)
		return resv_append(out, 0, FLOPPY_END, VCT_RESV_DIRECT_RELAXABLE);
	return 0;
}

/* ---- ACPI IVRS: IVMD blocks ----------------------------------------------- */

#define IVMD_UNITY	0x01	/* IVMD_FLAG_UNITY_MAP, amd_iommu_types.h */
#define IVMD_EXCL	0x08	/* IVMD_FLAG_EXCL_RANGE */
#define AMD_PAGE	4096ull	/* PAGE_ALIGN on x86 */

void vct_ivrs_free(struct vct_ivrs *v)
{
	free(v->ivmd);
	memset(v, 0, sizeof(*v));
}

int vct_ivrs_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_ivrs *out, struct vct_err *err)
{
	uint32_t tlen;
	size_t off;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	ret = acpi_table_check(name, "IVRS", 48, buf, len, &tlen, err);
	if (ret)
		return ret;
	out->ivinfo = le32(buf + 36);
	for (off = 48; off < tlen && !ret; ) {
		uint8_t type;
		uint16_t blen;

		if (tlen - off < 4) {
			ret = vct_errf(err, EINVAL, "%s: offset %#zx: block header runs past the table's end (%u)",
				       name, off, tlen);
			break;
		}
		type = buf[off];
		blen = le16(buf + off + 2);
		if (blen < 4 || blen > tlen - off) {
			ret = vct_errf(err, EINVAL,
				       "%s: offset %#zx: block type 0x%02x of length %u (below its 4-byte header or past the table's end, %u)",
				       name, off, type, blen, tlen);
			break;
		}
		if (type == 0x10 || type == 0x11 || type == 0x40) {
			out->nivhd++;
		} else if (type >= 0x20 && type <= 0x22) {
			struct vct_ivmd *nm, *m;

			if (blen != 32) {
				ret = vct_errf(err, EINVAL, "%s: offset %#zx: IVMD length %u, not 32",
					       name, off, blen);
				break;
			}
			nm = realloc(out->ivmd, (out->nivmd + 1) * sizeof(*nm));
			if (!nm) {
				ret = -ENOMEM;
				break;
			}
			out->ivmd = nm;
			m = &nm[out->nivmd++];
			m->type = type;
			m->flags = buf[off + 1];
			m->first = le16(buf + off + 4);
			m->last = type == 0x22 ? le16(buf + off + 6) : m->first;
			m->segment = le16(buf + off + 8);
			m->start = le64(buf + off + 16);
			m->length = le64(buf + off + 24);
			m->offset = off;
			if (type == 0x20) {
				m->first = 0;
				m->last = 0xffff;
			}
			if (m->last < m->first)
				ret = vct_errf(err, EINVAL,
					       "%s: offset %#zx: IVMD device range 0x%04x-0x%04x ends before it starts",
					       name, off, m->first, m->last);
		}
		off += blen;
	}
	if (ret)
		vct_ivrs_free(out);
	return ret;
}

int vct_ivrs_device_regions(const struct vct_ivrs *v, const char *bdf,
			    struct vct_resv_list *out, struct vct_err *err)
{
	unsigned int seg, bus, dev, fn, devid;
	size_t i;
	int ret;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
		return vct_errf(err, EINVAL, "'%s' is not a PCI address", bdf);
	devid = (bus & 0xff) << 8 | (dev & 0x1f) << 3 | (fn & 7);
	for (i = 0; i < v->nivmd; i++) {
		const struct vct_ivmd *m = &v->ivmd[i];
		uint64_t start, len;

		/* init_memory_definitions(): only blocks flagged unity or exclusion */
		if (!(m->flags & (IVMD_UNITY | IVMD_EXCL)) || m->segment != seg ||
		    devid < m->first || devid > m->last)
			continue;
		/* e->address_start = PAGE_ALIGN(m->range_start); + PAGE_ALIGN(m->range_length) */
		start = (m->start + AMD_PAGE - 1) & ~(AMD_PAGE - 1);
		len = (m->length + AMD_PAGE - 1) & ~(AMD_PAGE - 1);
		if (!len || start + len - 1 < start)
			return vct_errf(err, EINVAL,
					"IVMD at offset %#zx: range 0x%llx + 0x%llx is empty or wraps",
					m->offset, (unsigned long long)m->start,
					(unsigned long long)m->length);
		/*
		 * "Treat per-device exclusion ranges as r/w unity-mapped
		 * regions": prot loses IOMMU_UNITY_MAP_FLAG_EXCL_RANGE, so
		 * amd_iommu_get_resv_regions() gives IOMMU_RESV_DIRECT.
		 */
		ret = resv_append(out, start, start + len - 1, VCT_RESV_DIRECT);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- ACPI IORT RMR nodes: drivers/acpi/arm64/iort.c ------------------------ */

#define IORT_HDR	48	/* ACPI header 36 + node count, node offset, reserved */
#define IORT_NODE_HDR	16	/* type, length, revision, identifier, mapping count/offset */
#define IORT_MAP_LEN	20	/* struct acpi_iort_id_mapping */
#define IORT_RANGE_LEN	20	/* struct acpi_iort_rmr_desc */
#define IORT_RMR_MIN_REV 5	/* iort_find_rmrs: "Only supports ARM DEN 0049E.d onwards" */
#define SZ_64K		0x10000ull

void vct_iort_free(struct vct_iort *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		free(t->nodes[i].maps);
		free(t->nodes[i].ranges);
	}
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static const struct vct_iort_node *iort_node_at(const struct vct_iort *t, size_t off)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].offset == off)
			return &t->nodes[i];
	return NULL;
}

/* One node's fields; 0 or -EINVAL/-ENOMEM (err says what). */
static int iort_node(const char *name, const uint8_t *buf, size_t tlen, size_t off,
		     struct vct_iort_node *n, struct vct_err *err)
{
	uint16_t nlen = le16(buf + off + 1);
	uint32_t mcount = le32(buf + off + 8), moff = le32(buf + off + 12);
	size_t i;

	n->type = buf[off];
	n->revision = buf[off + 3];
	n->offset = off;
	if (nlen < IORT_NODE_HDR || nlen > tlen - off)
		return vct_errf(err, EINVAL,
				"%s: offset %#zx: node type %u of length %u (below its 16-byte header or past the table's end, %zu)",
				name, off, n->type, nlen, tlen);
	/* iort_node_map_id/iort_node_get_rmr_info: no offset or no count, no mappings */
	if (moff && mcount) {
		if (moff < IORT_NODE_HDR || moff > nlen ||
		    mcount > (nlen - moff) / IORT_MAP_LEN)
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: node type %u: %u ID mappings at +%#x run past its %u bytes",
					name, off, n->type, mcount, moff, nlen);
		n->maps = calloc(mcount, sizeof(*n->maps));
		if (!n->maps)
			return -ENOMEM;
		n->nmaps = mcount;
		for (i = 0; i < mcount; i++) {
			const uint8_t *m = buf + off + moff + i * IORT_MAP_LEN;

			n->maps[i].input = le32(m);
			n->maps[i].count = le32(m + 4);
			n->maps[i].output = le32(m + 8);
			n->maps[i].ref = le32(m + 12);
			n->maps[i].flags = le32(m + 16);
		}
	}
	switch (n->type) {
	case VCT_IORT_NODE_RC:
		/* memory properties 8, ATS attribute 4, PCI segment number 4 */
		if (nlen < IORT_NODE_HDR + 16)
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: root complex node of %u bytes, too short for its segment number",
					name, off, nlen);
		n->segment = le32(buf + off + 28);
		break;
	case VCT_IORT_NODE_SMMUV3:
		/* base 8, flags 4, reserved 4, VATOS 8, model 4 */
		if (nlen < IORT_NODE_HDR + 28)
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: SMMUv3 node of %u bytes, too short for its model",
					name, off, nlen);
		n->model = le32(buf + off + 40);
		break;
	case VCT_IORT_NODE_RMR: {
		uint32_t count, roff;

		/* flags, number of memory ranges, their offset (struct acpi_iort_rmr) */
		if (nlen < IORT_NODE_HDR + 12)
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: RMR node of %u bytes, too short for its 12 bytes of data",
					name, off, nlen);
		n->rmr_flags = le32(buf + off + 16);
		count = le32(buf + off + 20);
		roff = le32(buf + off + 24);
		if (!count || !roff)
			break;	/* iort_node_get_rmr_info skips it */
		if (roff < IORT_NODE_HDR + 12 || roff > nlen || count > (nlen - roff) / IORT_RANGE_LEN)
			return vct_errf(err, EINVAL,
					"%s: offset %#zx: RMR node: %u memory ranges at +%#x run past its %u bytes",
					name, off, count, roff, nlen);
		n->ranges = calloc(count, sizeof(*n->ranges));
		if (!n->ranges)
			return -ENOMEM;
		n->nranges = count;
		for (i = 0; i < count; i++) {
			n->ranges[i].base = le64(buf + off + roff + i * IORT_RANGE_LEN);
			n->ranges[i].length = le64(buf + off + roff + i * IORT_RANGE_LEN + 8);
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

int vct_iort_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_iort *out, struct vct_err *err)
{
	uint32_t tlen, count, first;
	size_t off, i, j;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	ret = acpi_table_check(name, "IORT", IORT_HDR, buf, len, &tlen, err);
	if (ret)
		return ret;
	out->revision = buf[8];
	count = le32(buf + 36);
	first = le32(buf + 40);
	if (count && (first < IORT_HDR || first > tlen))
		return vct_errf(err, EINVAL, "%s: node array at offset %#x, outside the table (48-%u)",
				name, first, tlen);
	if (count > (tlen - IORT_HDR) / IORT_NODE_HDR)
		return vct_errf(err, EINVAL, "%s: %u nodes cannot fit in %u bytes", name, count, tlen);
	out->nodes = calloc(count ? count : 1, sizeof(*out->nodes));
	if (!out->nodes)
		return -ENOMEM;
	for (off = first, i = 0; i < count && !ret; i++) {
		/* iort_find_rmrs: "IORT node pointer overflows, bad table!" */
		if (off > tlen || tlen - off < IORT_NODE_HDR) {
			ret = vct_errf(err, EINVAL,
				       "%s: offset %#zx: node %zu of %u runs past the table's end (%u)",
				       name, off, i + 1, count, tlen);
			break;
		}
		out->nnodes++;
		ret = iort_node(name, buf, tlen, off, &out->nodes[i], err);
		off += le16(buf + off + 1);
	}
	/* every mapping's output names a node */
	for (i = 0; i < out->nnodes && !ret; i++)
		for (j = 0; j < out->nodes[i].nmaps && !ret; j++)
			if (!iort_node_at(out, out->nodes[i].maps[j].ref))
				ret = vct_errf(err, EINVAL,
					       "%s: offset %#zx: ID mapping %zu outputs to offset %#x, where no node starts",
					       name, out->nodes[i].offset, j, out->nodes[i].maps[j].ref);
	if (ret)
		vct_iort_free(out);
	return ret;
}

/*
 * iort_id_map(): 0 with *out, -EAGAIN with *out (a match at a range's last
 * ID, which may be the next range's first: firmware's off-by-one), or
 * -ENXIO.  `overlap`: an -EAGAIN match came before.
 */
static int iort_id_map(const struct vct_iort_map *m, uint8_t type, uint32_t in,
		       uint32_t *out, bool overlap)
{
	if (m->flags & VCT_IORT_ID_SINGLE) {
		/* "Single mapping does not care for input id" (NC and RC only) */
		if (type != VCT_IORT_NODE_NC && type != VCT_IORT_NODE_RC)
			return -ENXIO;
		*out = m->output;
		return 0;
	}
	if (in < m->input || (uint64_t)in > (uint64_t)m->input + m->count)
		return -ENXIO;
	if (overlap && in != m->input)
		return -ENXIO;
	*out = m->output + (in - m->input);
	if (m->count > 0 && in == m->input + m->count)
		return -EAGAIN;
	return 0;
}

int vct_iort_device_regions(const struct vct_iort *t, const char *bdf, bool preserve,
			    uint64_t page, struct vct_resv_list *out, unsigned int *covered,
			    int *smmu_model, struct vct_err *err)
{
	const struct vct_iort_node *node = NULL;
	unsigned int seg, bus, dev, fn, hops = 0;
	uint32_t sid;
	size_t i, j, k;
	int ret;

	*covered = 0;
	if (smmu_model)
		*smmu_model = -1;
	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
		return vct_errf(err, EINVAL, "'%s' is not a PCI address", bdf);
	/* iort_match_node_callback: the first root complex of the device's segment */
	for (i = 0; i < t->nnodes && !node; i++)
		if (t->nodes[i].type == VCT_IORT_NODE_RC && t->nodes[i].segment == seg)
			node = &t->nodes[i];
	sid = (bus & 0xff) << 8 | (dev & 0x1f) << 3 | (fn & 7);
	/* iort_node_map_id(..., IORT_IOMMU_TYPE): walk until an SMMU */
	while (node && node->type != VCT_IORT_NODE_SMMU && node->type != VCT_IORT_NODE_SMMUV3) {
		uint32_t in = sid, ref = 0;
		int rc = -ENXIO;

		if (++hops > 16)
			return vct_errf(err, EINVAL,
					"IORT: the ID mappings of %s loop (16 hops, at the node at offset %#zx)",
					bdf, node->offset);
		for (i = 0; i < node->nmaps; i++) {
			rc = iort_id_map(&node->maps[i], node->type, in, &sid, ref != 0);
			if (!rc)
				break;
			if (rc == -EAGAIN)
				ref = node->maps[i].ref;
		}
		if (i == node->nmaps && !ref)
			return 0;	/* no IOMMU for this device in the IORT */
		node = iort_node_at(t, rc ? ref : node->maps[i].ref);
	}
	if (!node)
		return 0;
	if (smmu_model && node->type == VCT_IORT_NODE_SMMUV3)
		*smmu_model = (int)node->model;
	if (t->revision < IORT_RMR_MIN_REV)
		return 0;
	for (i = 0; i < t->nnodes; i++) {
		const struct vct_iort_node *r = &t->nodes[i];
		bool hit = false;

		if (r->type != VCT_IORT_NODE_RMR || !r->nranges)
			continue;
		/* iort_rmr_has_dev: an ID range to this SMMU holding the stream ID */
		for (j = 0; j < r->nmaps && !hit; j++)
			hit = r->maps[j].ref == node->offset && sid >= r->maps[j].output &&
			      (uint64_t)sid <= (uint64_t)r->maps[j].output + r->maps[j].count;
		if (!hit)
			continue;
		(*covered)++;
		if (!preserve)
			continue;
		for (k = 0; k < r->nranges; k++) {
			uint64_t base = r->ranges[k].base, size = r->ranges[k].length;

			if (!size)
				return vct_errf(err, EINVAL,
						"IORT: RMR node at offset %#zx: memory range %zu at 0x%llx has zero length",
						r->offset, k, (unsigned long long)base);
			if (base % SZ_64K || size % SZ_64K) {
				/* iort_rmr_alloc: "not aligned to 64K, continue with ..." */
				size = (size + (base & (page - 1)) + page - 1) & ~(page - 1);
				base &= ~(page - 1);
			}
			if (base + size - 1 < base)
				return vct_errf(err, EINVAL,
						"IORT: RMR node at offset %#zx: memory range %zu 0x%llx + 0x%llx wraps",
						r->offset, k, (unsigned long long)base,
						(unsigned long long)size);
			ret = resv_append(out, base, base + size - 1,
					  r->rmr_flags & VCT_IORT_RMR_REMAP_PERMITTED ?
					  VCT_RESV_DIRECT_RELAXABLE : VCT_RESV_DIRECT);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- device tree: of_iommu_get_resv_regions() ----------------------------- */

#define DT_MAX_PROP	4096	/* cells of one property we read, in bytes */

/* Property `name` of node directory `node`: bytes into buf; -ENOENT absent. */
static int dt_prop(const char *node, const char *name, uint8_t *buf, size_t max,
		   size_t *len)
{
	char path[1024];
	FILE *f;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", node, name);
	f = fopen(path, "re");
	if (!f)
		return errno ? -errno : -ENOENT;
	*len = fread(buf, 1, max, f);
	fclose(f);
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* of_read_number(): n cells, the low 64 bits kept. */
static uint64_t dt_number(const uint8_t *p, unsigned int n)
{
	uint64_t r = 0;

	while (n--) {
		r = r << 32 | be32(p);
		p += 4;
	}
	return r;
}

/* A one-cell property, or `dflt` when absent. -EINVAL when not one cell. */
static int dt_cell(const char *node, const char *name, uint32_t dflt, uint32_t *out,
		   struct vct_err *err)
{
	uint8_t b[8];
	size_t n;

	*out = dflt;
	if (dt_prop(node, name, b, sizeof(b), &n))
		return 0;
	if (n != 4)
		return vct_errf(err, EINVAL, "%s/%s: %zu bytes, not one cell", node, name, n);
	*out = be32(b);
	return 0;
}

/* -ENOENT (err says where) when `prop` of `node` is present and not empty. */
static int dt_no_translation(const char *node, const char *prop, struct vct_err *err)
{
	uint8_t b[4];
	size_t n;

	if (!dt_prop(node, prop, b, sizeof(b), &n) && n)
		return vct_errf(err, ENOENT,
				"%s/%s: addresses translate through it, not derived here", node, prop);
	return 0;
}

static bool dt_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The node below `dir` whose phandle is `ph`, into path; false if none. */
static bool dt_find_phandle(const char *dir, uint32_t ph, char *path, size_t len)
{
	struct dirent *de;
	uint8_t b[4];
	size_t n;
	bool hit = false;
	DIR *d;

	if (!dt_prop(dir, "phandle", b, sizeof(b), &n) && n == 4 && be32(b) == ph) {
		snprintf(path, len, "%s", dir);
		return true;
	}
	d = opendir(dir);
	if (!d)
		return false;
	while (!hit && (de = readdir(d))) {
		char sub[1024];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub) &&
		    dt_is_dir(sub))
			hit = dt_find_phandle(sub, ph, path, len);
	}
	closedir(d);
	return hit;
}

/*
 * The node of PCI device seg:bus:devfn: under a top-level host bridge of
 * that domain whose root bus is `bus`, the child whose reg phys.hi has
 * the devfn in bits 15:8.  1 found (node, bridge set), 0 none, -errno.
 */
static int dt_pci_node(const char *root, unsigned int seg, unsigned int bus,
		       unsigned int devfn, char *node, char *bridge, size_t len,
		       struct vct_err *err)
{
	struct dirent *de, *ce;
	int found = 0, ret = 0;
	DIR *d = opendir(root), *c;

	if (!d)
		return 0;
	while (!found && !ret && (de = readdir(d))) {
		uint8_t b[DT_MAX_PROP];
		uint32_t dom = 0;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(bridge, len, "%s/%s", root, de->d_name) >= (int)len ||
		    !dt_is_dir(bridge) || dt_prop(bridge, "device_type", b, sizeof(b), &n) ||
		    n != 4 || memcmp(b, "pci", 4))
			continue;
		ret = dt_cell(bridge, "linux,pci-domain", 0, &dom, err);
		if (ret || dom != seg)
			continue;
		/* bus-range = <first last>; absent: bus 0 */
		if (!dt_prop(bridge, "bus-range", b, sizeof(b), &n) && n >= 4 ?
		    be32(b) != bus : bus != 0)
			continue;
		c = opendir(bridge);
		if (!c)
			continue;
		while (!found && (ce = readdir(c))) {
			if (ce->d_name[0] == '.')
				continue;
			/* of_pci_get_devfn(): (reg[0] >> 8) & 0xff */
			if (snprintf(node, len, "%s/%s", bridge, ce->d_name) < (int)len &&
			    dt_is_dir(node) && !dt_prop(node, "reg", b, sizeof(b), &n) && n >= 4 &&
			    ((be32(b) >> 8) & 0xff) == devfn)
				found = 1;
		}
		closedir(c);
	}
	closedir(d);
	return ret ? ret : found;
}

/* #address-cells / #size-cells of `node`, as of_bus_n_*_cells(): up to the root. */
static int dt_counts(const char *root, const char *node, uint32_t *na, uint32_t *ns,
		     struct vct_err *err)
{
	char at[1024];
	int ret;

	*na = *ns = 0;
	snprintf(at, sizeof(at), "%s", node);
	for (;;) {
		char *slash;

		if (!*na && (ret = dt_cell(at, "#address-cells", 0, na, err)))
			return ret;
		if (!*ns && (ret = dt_cell(at, "#size-cells", 0, ns, err)))
			return ret;
		if ((*na && *ns) || strlen(at) <= strlen(root))
			break;
		slash = strrchr(at, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	if (!*na)
		*na = 1;	/* OF_ROOT_NODE_ADDR_CELLS_DEFAULT */
	if (!*ns)
		*ns = 1;	/* OF_ROOT_NODE_SIZE_CELLS_DEFAULT */
	if (*na > 4 || *ns > 2)	/* OF_CHECK_COUNTS; a size is at most 64 bits here */
		return vct_errf(err, EINVAL, "%s: %u address cells, %u size cells", node,
				*na, *ns);
	return 0;
}

/* The parent directory of node `node`, into out. */
static void dt_parent(const char *node, char *out, size_t len)
{
	const char *slash = strrchr(node, '/');

	snprintf(out, len, "%.*s", slash ? (int)(slash - node) : 0, node);
}

/*
 * One memory-region node `rn` of device node `dev` (phandle devph): its
 * iommu-addresses entries naming the device, appended to out.
 */
static int dt_region(const char *root, const char *rn, const char *bridge,
		     uint32_t devph, struct vct_resv_list *out, struct vct_err *err)
{
	static uint8_t map[DT_MAX_PROP];
	uint8_t reg[64];
	char parent[1024];
	uint64_t pstart = 0, pend = 0;
	uint32_t na, ns, rna, rns;
	size_t n, rlen, i, cells;
	int ret;

	/* The physical side, `reg` (of_address_to_resource); optional. */
	if (!dt_prop(rn, "reg", reg, sizeof(reg), &rlen)) {
		uint8_t b[4];
		size_t bn;

		dt_parent(rn, parent, sizeof(parent));
		ret = dt_counts(root, parent, &rna, &rns, err);
		if (ret)
			return ret;
		if (rlen < 4 * (size_t)(rna + rns))
			return vct_errf(err, EINVAL, "%s/reg: %zu bytes, below one entry of %u+%u cells",
					rn, rlen, rna, rns);
		ret = dt_no_translation(parent, "ranges", err);
		if (ret)
			return ret;
		/* no `ranges` at all: of_address_to_resource() fails, the region is skipped */
		if (strcmp(parent, root) && dt_prop(parent, "ranges", b, sizeof(b), &bn))
			return 0;
		pstart = dt_number(reg, rna);
		pend = pstart + dt_number(reg + 4 * rna, rns) - 1;
	}
	if (dt_prop(rn, "iommu-addresses", map, sizeof(map), &n))
		return 0;
	if (n % 4)
		return vct_errf(err, EINVAL, "%s/iommu-addresses: %zu bytes, not whole cells", rn, n);
	/* of_translate_dma_region(): the counts of the device's DMA parent */
	ret = dt_counts(root, bridge, &na, &ns, err);
	if (ret)
		return ret;
	cells = n / 4;
	if (cells % (1 + na + ns))
		return vct_errf(err, EINVAL,
				"%s/iommu-addresses: %zu cells, not entries of <phandle> + %u address + %u size cells",
				rn, cells, na, ns);
	/* of_iommu_get_resv_regions() reads a phandle, and the cells after it only when it names the device */
	for (i = 0; i < cells; ) {
		uint64_t iova, len;

		if (be32(map + 4 * i++) != devph)
			continue;
		if (cells - i < na + ns)
			return vct_errf(err, EINVAL, "%s/iommu-addresses: entry at cell %zu short of %u+%u cells",
					rn, i - 1, na, ns);
		iova = dt_number(map + 4 * i, na);	/* phys.hi dropped: 1:1, no dma-ranges */
		len = dt_number(map + 4 * (i + na), ns);
		i += na + ns;
		if (!len)	/* "Cannot reserve IOVA region of 0 size" */
			continue;
		/* iommu_resv_region_get_type() */
		ret = resv_append(out, iova, iova + len - 1,
				  pstart < pend && pstart == iova && pend == iova + len - 1 ?
				  VCT_RESV_DIRECT : VCT_RESV_RESERVED);
		if (ret)
			return ret;
	}
	return 0;
}

int vct_dt_device_regions(const char *root, const char *bdf,
			  struct vct_resv_list *out, struct vct_err *err)
{
	char node[1024], bridge[1024];
	uint8_t b[DT_MAX_PROP];
	unsigned int seg, bus, dev, fn;
	size_t n, i;
	int ret;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
		return vct_errf(err, EINVAL, "'%s' is not a PCI address", bdf);
	ret = dt_pci_node(root, seg, bus, dev << 3 | fn, node, bridge, sizeof(node), err);
	if (ret <= 0)
		return ret;
	ret = dt_no_translation(bridge, "dma-ranges", err);
	if (!ret)
		ret = dt_no_translation(root, "dma-ranges", err);
	if (ret)
		return ret;
	if (dt_prop(node, "memory-region", b, sizeof(b), &n))
		return 0;
	if (n % 4)
		return vct_errf(err, EINVAL, "%s/memory-region: %zu bytes, not whole cells", node, n);
	for (i = 0; i < n; i += 4) {
		char rn[1024];
		uint8_t pb[4];
		size_t pn;

		if (!dt_find_phandle(root, be32(b + i), rn, sizeof(rn)))
			return vct_errf(err, EINVAL, "%s/memory-region: phandle %#x names no node",
					node, be32(b + i));
		/* without a phandle of its own no iommu-addresses entry can name it */
		if (dt_prop(node, "phandle", pb, sizeof(pb), &pn) || pn != 4)
			return 0;
		ret = dt_region(root, rn, bridge, be32(pb), out, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct vct_resv_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)x->type - (int)y->type;
}

void vct_resv_normalize(struct vct_resv_list *l)
{
	size_t i, j, n = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_region);
	for (i = 0; i < l->n; i++) {
		/* the last kept region of the same type */
		for (j = n; j-- > 0; )
			if (l->v[j].type == l->v[i].type)
				break;
		if (j != (size_t)-1 && j < n && l->v[i].start <= l->v[j].end + 1) {
			if (l->v[i].end > l->v[j].end)
				l->v[j].end = l->v[i].end;
			continue;
		}
		l->v[n++] = l->v[i];
	}
	l->n = n;
	for (i = 0; i < n; i++)
		l->v[i].line = (unsigned int)i + 1;
}

/* sysfs topology: a bridge's secondary/subordinate bus from its config. */
static int sysfs_bridge(void *ctx, const char *bdf, unsigned int *sec,
			unsigned int *sub)
{
	char path[256];
	uint8_t cfg[0x1b];
	FILE *f;
	size_t n;

	(void)ctx;
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/config", bdf);
	f = fopen(path, "re");
	if (!f)
		return -ENODEV;
	n = fread(cfg, 1, sizeof(cfg), f);
	fclose(f);
	/* header type 1 (PCI-PCI bridge) or 2 (CardBus) */
	if (n < sizeof(cfg) || !(cfg[0x0e] & 0x7f))
		return -ENODEV;
	*sec = cfg[0x19];
	*sub = cfg[0x1a];
	return 0;
}

const struct vct_pci_topo vct_pci_topo_sysfs = { .bridge = sysfs_bridge };

/* A whole firmware table: *buf malloc'ed; -errno (-ENOENT: no such table). */
static int read_table(const char *sig, uint8_t **buf, size_t *len)
{
	char path[256];
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;
	FILE *f;
	int ret = 0;

	*buf = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", VCT_ACPI_TABLES, sig);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb = realloc(b, cap ? 2 * cap : 4096);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
			cap = cap ? 2 * cap : 4096;
		}
		got = fread(b + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* The regions every group of an IOMMU of kind `hw` holds (see platform.h). */
static int common_regions(enum vct_iommu_hw hw, struct vct_resv_list *out,
			  char *how, size_t how_len)
{
	int ret;

	switch (hw) {
	case VCT_IOMMU_HW_VTD:
		snprintf(how, how_len, "platform: VT-d interrupt range");
		return resv_append(out, X86_MSI_START, X86_MSI_END, VCT_RESV_MSI);
	case VCT_IOMMU_HW_AMDVI:
		snprintf(how, how_len, "platform: AMD-Vi interrupt and HyperTransport ranges");
		ret = resv_append(out, X86_MSI_START, X86_MSI_END, VCT_RESV_MSI);
		return ret ? ret : resv_append(out, AMD_HT_START, AMD_HT_END, VCT_RESV_RESERVED);
	case VCT_IOMMU_HW_SMMUV3:
	case VCT_IOMMU_HW_SMMU:
		snprintf(how, how_len, "platform: %s software MSI window", vct_iommu_hw_name(hw));
		return resv_append(out, SMMU_MSI_START, SMMU_MSI_END, VCT_RESV_MSI);
	default:
		snprintf(how, how_len,
			 "platform: %s: its reserved regions are what the IOMMU reports (virtio-iommu: what the device probes); no firmware source is derived here",
			 vct_iommu_hw_name(hw));
		return -ENOENT;
	}
}

/* Whether the running kernel is at least major.minor (uname -r). */
static bool kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* A device-tree reserved-memory node with iommu-addresses (of_iommu.c)? */
static bool dt_has_iommu_addresses(void)
{
	const char *rm = VCT_DT_BASE "/reserved-memory";
	struct dirent *de;
	bool hit = false;
	DIR *d = opendir(rm);

	if (!d)
		return false;
	while (!hit && (de = readdir(d))) {
		char path[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/iommu-addresses", rm, de->d_name);
		hit = !access(path, F_OK);
	}
	closedir(d);
	return hit;
}

/*
 * What the IORT's RMR nodes reserve for the devices of a group (the
 * group's `n` devices in bdfs): appended to out; 0 (also without an IORT:
 * a device-tree host); -ENOENT when a covering RMR's effect depends on
 * what userspace cannot see (how says which device and why); -EINVAL
 * for a malformed table.
 */
static int iort_group_regions(char (*bdfs)[VCT_BDF_LEN], int n, struct vct_resv_list *out,
			      char *how, size_t how_len)
{
	const char *pc = getenv("VCT_PCI_PRESERVE_CONFIG");
	struct vct_err err = { "" };
	struct vct_iort t;
	unsigned int covered, nrmr = 0;
	uint8_t *tab;
	size_t len, i;
	int d, model, ret;

	if (read_table("IORT", &tab, &len))
		return 0;
	ret = vct_iort_parse(VCT_ACPI_TABLES "/IORT", tab, len, &t, &err);
	free(tab);
	if (ret) {
		snprintf(how, how_len, "%s", err.msg);
		return ret;
	}
	for (i = 0; i < t.nnodes; i++)
		nrmr += t.nodes[i].type == VCT_IORT_NODE_RMR;
	for (d = 0; d < n && !ret; d++) {
		ret = vct_iort_device_regions(&t, bdfs[d], pc && !strcmp(pc, "1"),
					      (uint64_t)sysconf(_SC_PAGESIZE), out, &covered,
					      &model, &err);
		if (ret) {
			snprintf(how, how_len, "%s/%s", VCT_ACPI_TABLES, err.msg);
			break;
		}
		if (model == VCT_IORT_SMMUV3_HI161X) {
			/* iort_iommu_msi_get_resv_regions: the ITS doorbells, as msi */
			snprintf(how, how_len,
				 "platform: %s sits behind a HiSilicon Hi161x SMMUv3, whose ITS doorbell regions (iort_iommu_msi_get_resv_regions) are not derived here",
				 bdfs[d]);
			ret = -ENOENT;
		} else if (covered && (!pc || (strcmp(pc, "0") && strcmp(pc, "1")))) {
			/* iort_rmr_has_dev: "if (!host->preserve_config) return false;" */
			snprintf(how, how_len,
				 "platform: %u IORT RMR node(s) cover the stream ID of %s; the kernel honours them only when its host bridge's _DSM asks to preserve the boot configuration (pci_host_bridge.preserve_config), which userspace cannot read: set VCT_PCI_PRESERVE_CONFIG=1 or 0 if you know it",
				 covered, bdfs[d]);
			ret = -ENOENT;
		}
	}
	if (!ret)
		snprintf(how + strlen(how), how_len - strlen(how),
			 " and IORT (revision %u, %u RMR node(s)%s)", t.revision, nrmr,
			 t.revision < IORT_RMR_MIN_REV && nrmr ? ", ignored before revision 5" : "");
	vct_iort_free(&t);
	return ret;
}

int __vct_platform_group_resv(unsigned int group, struct vct_resv_list *out,
			      char *how, size_t how_len)
{
	char bdfs[64][VCT_BDF_LEN];
	struct vct_dmar dmar = { 0 };
	struct vct_err err = { "" };
	enum vct_iommu_hw hw;
	unsigned int unresolved = 0;
	int i, n, ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "platform (group %u)", group);
	n = __vct_group_devices(group, bdfs, 64);
	if (n <= 0) {
		snprintf(how, how_len, "group %u: no PCI devices (%s)", group,
			 n ? vct_errno_name(-n) : "none");
		return -ENOENT;
	}
	hw = vct_pci_iommu_hw(bdfs[0]);
	ret = common_regions(hw, out, how, how_len);
	if (ret)
		goto out;
	if (hw == VCT_IOMMU_HW_AMDVI) {
		struct vct_ivrs ivrs;
		uint8_t *tab;
		size_t len;

		ret = read_table("IVRS", &tab, &len);
		if (ret) {
			snprintf(how, how_len, "%s/IVRS: %s", VCT_ACPI_TABLES, vct_errno_name(-ret));
			ret = -ENOENT;
			goto out;
		}
		ret = vct_ivrs_parse(VCT_ACPI_TABLES "/IVRS", tab, len, &ivrs, &err);
		free(tab);
		if (ret) {
			snprintf(how, how_len, "%s", err.msg);
			goto out;
		}
		for (i = 0; i < n && !ret; i++)
			ret = vct_ivrs_device_regions(&ivrs, bdfs[i], out, &err);
		if (ret)
			snprintf(how, how_len, "%s/IVRS: %s", VCT_ACPI_TABLES, err.msg);
		else
			snprintf(how + strlen(how), how_len - strlen(how), " and IVRS (%zu IVMD)",
				 ivrs.nivmd);
		vct_ivrs_free(&ivrs);
		if (ret)
			goto out;
	}
	if (hw == VCT_IOMMU_HW_SMMUV3 || hw == VCT_IOMMU_HW_SMMU) {
		ret = iort_group_regions(bdfs, n, out, how, how_len);
		if (ret)
			goto out;
	}
	if ((hw == VCT_IOMMU_HW_SMMUV3 || hw == VCT_IOMMU_HW_SMMU) && dt_has_iommu_addresses()) {
		if (!kernel_at_least(6, 3)) {
			/* of_iommu_get_resv_regions() came with 6.3: older kernels ignore them */
			snprintf(how + strlen(how), how_len - strlen(how),
				 " (device-tree iommu-addresses ignored before Linux 6.3)");
		} else {
			for (i = 0; i < n && !ret; i++)
				ret = vct_dt_device_regions(VCT_DT_BASE, bdfs[i], out, &err);
			if (ret) {
				snprintf(how, how_len, "%s", err.msg);
				goto out;
			}
			snprintf(how + strlen(how), how_len - strlen(how),
				 " and device-tree iommu-addresses (" VCT_DT_BASE ")");
		}
	}
	if (hw == VCT_IOMMU_HW_VTD) {
		uint8_t *tab;
		size_t len;

		ret = read_table("DMAR", &tab, &len);
		if (ret) {
			snprintf(how, how_len, "%s/DMAR: %s", VCT_ACPI_TABLES, vct_errno_name(-ret));
			ret = -ENOENT;
			goto out;
		}
		ret = vct_dmar_parse(VCT_ACPI_TABLES "/DMAR", tab, len, &dmar, &err);
		free(tab);
		if (ret) {
			snprintf(how, how_len, "%s", err.msg);
			goto out;
		}
		for (i = 0; i < n && !ret; i++) {
			char path[256];
			uint64_t cls = 0;

			snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%.*s/class",
				 VCT_BDF_LEN, bdfs[i]);
			if (__vct_read_u64(path, 16, &cls))
				continue;
			ret = vct_dmar_device_regions(&dmar, bdfs[i], (uint32_t)cls,
						      &vct_pci_topo_sysfs, out, &unresolved);
		}
		snprintf(how + strlen(how), how_len - strlen(how),
			 " and DMAR (%zu RMRR, %u scope(s) naming no device)", dmar.nrmrr,
			 unresolved);
		vct_dmar_free(&dmar);
		if (ret)
			goto out;
	}
	vct_resv_normalize(out);
	return 0;
out:
	vct_resv_free(out);
	return ret;
}

/* The kind of IOMMU the first grouped PCI device sits behind. */
static enum vct_iommu_hw platform_iommu(void)
{
	struct vct_pcidev *all;
	enum vct_iommu_hw hw = VCT_IOMMU_HW_NONE;
	int i, n = __vct_pci_list(&all);

	for (i = 0; i < n && hw == VCT_IOMMU_HW_NONE; i++)
		if (__vct_pci_iommu_group(all[i].bdf) >= 0)
			hw = vct_pci_iommu_hw(all[i].bdf);
	if (n > 0)
		free(all);
	return hw;
}

/* What every group holds, from the platform (0, -ENOENT: not derivable). */
static int platform_common_resv(struct vct_resv_list *out, char *how, size_t how_len)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = common_regions(platform_iommu(), out, how, how_len);
	snprintf(out->path, sizeof(out->path), "%s", how);
	if (ret)
		vct_resv_free(out);
	else
		vct_resv_normalize(out);
	return ret;
}

/* "0x..-0x..:type ..." of a list, for messages. */
static void regions_text(const struct vct_resv_list *l, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s0x%llx-0x%llx:%s", i ? " " : "",
				       (unsigned long long)l->v[i].start,
				       (unsigned long long)l->v[i].end,
				       vct_resv_type_name(l->v[i].type));
}

int __vct_expected_resv(struct vct_resv_list *out, struct vct_err *err)
{
	struct vct_resv_list plat, sorted = { 0 };
	char how[256], a[200], b[200];
	int pret, ret = profile_resv(out, err);

	if (ret == -ENOENT) {
		/* a host without a profile's expect_resv: the platform's */
		ret = platform_common_resv(out, how, sizeof(how));
		if (ret == -ENOENT)
			return vct_errf(err, ENOENT, "VCT_EXPECT_RESV is not set and %s", how);
		return ret;
	}
	if (ret)
		return ret;
	pret = platform_common_resv(&plat, how, sizeof(how));
	if (pret)
		return 0;	/* nothing to cross-check with */
	sorted.n = out->n;
	sorted.v = malloc(out->n * sizeof(*sorted.v) + 1);
	if (!sorted.v) {
		vct_resv_free(&plat);
		return 0;
	}
	memcpy(sorted.v, out->v, out->n * sizeof(*sorted.v));
	vct_resv_normalize(&sorted);
	if (!vct_resv_equal(&sorted, &plat)) {
		regions_text(&sorted, a, sizeof(a));
		regions_text(&plat, b, sizeof(b));
		ret = vct_errf(err, EINVAL,
			       "profile and platform disagree: VCT_EXPECT_RESV gives %s, %s gives %s",
			       a, how, b);
		vct_resv_free(out);
	}
	free(sorted.v);
	vct_resv_free(&plat);
	return ret;
}
