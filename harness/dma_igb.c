// SPDX-License-Identifier: GPL-2.0
/*
 * dma_igb.c - an Intel 82576 (igb, 8086:10c9) in MAC loopback as a DMA
 * engine: a frame sent from a transmit descriptor's buffers arrives in
 * receive descriptors' buffers, so the NIC moves bytes from one IOVA to
 * another, reading one and writing the other.  QEMU 8.0+ emulates it
 * (hw/net/igb_core.c); QEMU 7.2 has no igb.
 *
 * Nothing leaves the device: RCTL.LBM = 01b (MAC loopback) makes QEMU hand
 * every transmitted frame straight to its own receive path
 * (igb_tx_pkt_send: "(core->mac[RCTL] & E1000_RCTL_LBM_MAC) ==
 * E1000_RCTL_LBM_MAC" -> igb_tx_pkt_mac_callback -> igb_receive_internal),
 * never to its netdev; the frames are broadcasts of the IEEE local
 * experimental EtherType 0x88b5 anyway.
 *
 * The device buffer is memory of the engine's own (own_va at own_iova,
 * below), so both directions are one frame each:
 *   write (device -> RAM)  transmit from the buffer, receive into the IOVA
 *   read  (RAM -> device)  transmit from the IOVA, receive into the buffer
 * A frame is: a 14-byte Ethernet header and 1010 bytes of zeros (one
 * 1 KiB transmit buffer of own memory), then the payload.  The receive
 * ring uses 1 KiB buffers (SRRCTL.BSIZEPKT = 1): the first descriptor's
 * buffer (own scratch) takes header and filler, the next ones are the
 * destination in 1 KiB steps, so the payload lands exactly at
 * [dst, dst+len) and nothing is written around it (no padding: frames are
 * over 60 bytes; no FCS: RCTL.SECRC strips it).  Transmit buffers never
 * cross a 4 KiB IOVA page: QEMU maps each fragment with pci_dma_map(),
 * which through a vIOMMU yields at most one page of contiguous memory.
 *
 * Completion: the last transmit descriptor has RS set; the device writes
 * its DD bit back after the frame was sent, and in MAC loopback QEMU
 * receives the frame before that (synchronously, inside igb_start_xmit).
 * Transmit and receive queue 0 signal MSI-X vector 0 (IVAR0, EIAC
 * auto-clears the cause so every write-back interrupts anew); wait sleeps
 * on that vector's eventfd and then reads DD from the descriptors.  A
 * frame whose transmit buffer the IOMMU blocked is dropped by the device
 * (QEMU: net_tx_pkt_add_raw_fragment_pci fails, skip_cp): its transmit
 * descriptor completes, its receive descriptors stay unused and are taken
 * back (RDT := RDH) so that the next frame does not land in them.
 * raise_irq sets EICS bit 1: MSI-X vector 1.
 *
 * Alignment: receive buffer addresses are word aligned (82576 datasheet
 * 7.1.5: bit 0 of the packet buffer address is reserved in the advanced
 * descriptor), so IOVAs are 2-aligned; lengths and offsets are bytes.
 *
 * Own memory (IGB_OWN bytes at own_iova): transmit ring, receive ring,
 * the 1 KiB header+filler, the receive scratch, the device buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "dma.h"
#include "irq.h"

/* 82576 registers (datasheet section 8; queue 0 at its 0xC000/0xE000 block) */
#define IGB_CTRL		0x00000
#define  IGB_CTRL_SLU		(1u << 6)
#define  IGB_CTRL_RST		(1u << 26)
#define IGB_STATUS		0x00008
#define  IGB_STATUS_LU		(1u << 1)
#define IGB_MDIC		0x00020
#define  IGB_MDIC_PHY1		(1u << 21)
#define  IGB_MDIC_OP_WRITE	(1u << 26)
#define  IGB_MDIC_READY		(1u << 28)
#define  IGB_PHY_BMCR_AN	0x1340u		/* autoneg on + restart, 1000 full */
#define IGB_RCTL		0x00100
#define  IGB_RCTL_EN		(1u << 1)
#define  IGB_RCTL_UPE		(1u << 3)
#define  IGB_RCTL_MPE		(1u << 4)
#define  IGB_RCTL_LPE		(1u << 5)
#define  IGB_RCTL_LBM_MAC	(1u << 6)
#define  IGB_RCTL_BAM		(1u << 15)
#define  IGB_RCTL_SECRC		(1u << 26)
#define IGB_TCTL		0x00400
#define  IGB_TCTL_EN		(1u << 1)
#define  IGB_TCTL_PSP		(1u << 3)
#define IGB_IMC			0x0150c
#define IGB_GPIE		0x01514
#define  IGB_GPIE_MSIX_MODE	(1u << 4)
#define  IGB_GPIE_PBA		(1u << 31)
#define IGB_EICS		0x01520
#define IGB_EIMS		0x01524
#define IGB_EIMC		0x01528
#define IGB_EIAC		0x0152c
#define IGB_IVAR0		0x01700
#define  IGB_IVAR_VALID		0x80u
#define IGB_RLPML		0x05004
#define IGB_RDBAL		0x0c000
#define IGB_RDBAH		0x0c004
#define IGB_RDLEN		0x0c008
#define IGB_SRRCTL		0x0c00c
#define  IGB_SRRCTL_ONEBUF	(1u << 25)	/* DESCTYPE 001b: advanced, one buffer */
#define IGB_RDH			0x0c010
#define IGB_RDT			0x0c018
#define IGB_RXDCTL		0x0c028
#define IGB_TDBAL		0x0e000
#define IGB_TDBAH		0x0e004
#define IGB_TDLEN		0x0e008
#define IGB_TDH			0x0e010
#define IGB_TDT			0x0e018
#define IGB_TXDCTL		0x0e028
#define  IGB_QUEUE_ENABLE	(1u << 25)

/* advanced transmit data descriptor (datasheet 7.2.2.3) */
#define TXD_DTYP_DATA		(3u << 20)
#define TXD_EOP			(1u << 24)
#define TXD_IFCS		(1u << 25)
#define TXD_RS			(1u << 27)
#define TXD_DEXT		(1u << 29)
#define TXD_PAYLEN_SHIFT	14
#define DD			1u		/* descriptor done, both rings */

#define IGB_RING	32u		/* descriptors per ring */
#define IGB_RXBUF	1024u		/* receive buffer size (BSIZEPKT 1) */
#define IGB_HDR		14u
#define IGB_ETHERTYPE	0x88b5u		/* IEEE 802 local experimental */
#define IGB_BUF		4096u		/* device buffer */
#define PG		4096u

/* own memory layout */
#define OWN_TX		0x0000u		/* transmit ring */
#define OWN_RX		0x1000u		/* receive ring */
#define OWN_HDR		0x2000u		/* header + filler (IGB_RXBUF bytes) */
#define OWN_SCRATCH	0x3000u		/* receives header + filler */
#define OWN_BUF		0x4000u		/* the device buffer */
#define IGB_OWN		(OWN_BUF + IGB_BUF)

#define IGB_VEC_DONE	0		/* MSI-X vector of queue 0 write-backs */
#define IGB_VEC_SOFT	1		/* MSI-X vector raise_irq fires */

struct txd {
	uint64_t addr;
	uint32_t cmd_type_len;
	uint32_t olinfo_status;		/* write-back: DD in bit 0 */
};

struct rxd {
	uint64_t pkt_addr;
	uint64_t hdr_addr;		/* write-back: status_error at byte 8 */
};

struct igb {
	volatile uint8_t *bar;
	uint64_t bar_size;
	uint64_t cfg_off;
	uint8_t *own;			/* own memory (e->own_va) */
	int efd[2];			/* MSI-X vectors 0 and 1 */
	bool irqs;			/* MSI-X enabled through VFIO */
	bool mapped;			/* own memory mapped in e->iommu */
	uint32_t tx_next, rx_next;	/* next free descriptor (= TDT, RDT) */
	uint32_t tx_last, rx_last;	/* last descriptor of the frame in flight */
};

static bool igb_probe(const struct vct_pcidev *p)
{
	return p->vendor == 0x8086 && p->device == 0x10c9;
}

static uint32_t rd(struct igb *d, uint32_t reg)
{
	return *(volatile uint32_t *)(d->bar + reg);
}

static void wr(struct igb *d, uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(d->bar + reg) = val;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static int set_command(struct vct_dma_engine *e, uint16_t set, uint16_t clear)
{
	struct igb *d = e->priv;
	uint16_t cmd;
	off_t at = (off_t)(d->cfg_off + PCI_COMMAND);

	if (pread(e->device_fd, &cmd, 2, at) != 2 ||
	    (cmd = (uint16_t)((cmd | set) & ~clear),
	     pwrite(e->device_fd, &cmd, 2, at) != 2)) {
		snprintf(e->err, sizeof(e->err), "igb %s: command register: %m", e->bdf);
		return -EIO;
	}
	return 0;
}

/* MSI-X vectors 0 and 1 to d->efd (on) or disabled (off). */
static int irqs_set(struct vct_dma_engine *e, bool on)
{
	struct igb *d = e->priv;
	char buf[sizeof(struct vfio_irq_set) + 2 * sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	int32_t fds[2] = { d->efd[0], d->efd[1] };

	memset(buf, 0, sizeof(buf));
	s->argsz = on ? sizeof(buf) : sizeof(*s);
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->flags = (on ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) |
		   VFIO_IRQ_SET_ACTION_TRIGGER;
	s->count = on ? 2 : 0;
	if (on)
		memcpy(s->data, fds, sizeof(fds));
	if (ioctl(e->device_fd, VFIO_DEVICE_SET_IRQS, s)) {
		snprintf(e->err, sizeof(e->err), "igb %s: SET_IRQS MSI-X %s: %m",
			 e->bdf, on ? "enable" : "disable");
		return -errno;
	}
	d->irqs = on;
	return 0;
}

static struct txd *txd(struct igb *d, uint32_t i)
{
	return (struct txd *)(d->own + OWN_TX) + i;
}

static struct rxd *rxd(struct igb *d, uint32_t i)
{
	return (struct rxd *)(d->own + OWN_RX) + i;
}

static bool tx_done(struct igb *d)
{
	return __atomic_load_n(&txd(d, d->tx_last)->olinfo_status, __ATOMIC_ACQUIRE) & DD;
}

static bool rx_done(struct igb *d)
{
	uint32_t st;

	memcpy(&st, (uint8_t *)rxd(d, d->rx_last) + 8, 4);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return st & DD;
}

/* Post transmit buffers for [iova, iova+len), split at 4 KiB IOVA pages. */
static void tx_add(struct igb *d, uint64_t iova, uint64_t len, uint32_t paylen,
		   bool last)
{
	while (len) {
		uint64_t n = PG - (iova & (PG - 1));
		struct txd *t = txd(d, d->tx_next);

		if (n > len)
			n = len;
		t->addr = iova;
		t->cmd_type_len = (uint32_t)n | TXD_DTYP_DATA | TXD_DEXT | TXD_IFCS |
				  (last && n == len ? TXD_EOP | TXD_RS : 0);
		t->olinfo_status = paylen << TXD_PAYLEN_SHIFT;
		d->tx_last = d->tx_next;
		d->tx_next = (d->tx_next + 1) % IGB_RING;
		iova += n;
		len -= n;
	}
}

static void rx_add(struct igb *d, uint64_t iova)
{
	struct rxd *r = rxd(d, d->rx_next);

	r->pkt_addr = iova;
	r->hdr_addr = 0;
	d->rx_last = d->rx_next;
	d->rx_next = (d->rx_next + 1) % IGB_RING;
}

/* One frame: header + filler, then [src, src+len) -> [dst, dst+len). */
static int frame(struct vct_dma_engine *e, uint64_t src, uint64_t dst,
		 uint64_t off, uint64_t len)
{
	struct igb *d = e->priv;
	uint64_t k;

	if (!len || len > IGB_BUF || off > IGB_BUF || len > IGB_BUF - off ||
	    (src | dst) & 1) {
		snprintf(e->err, sizeof(e->err),
			 "igb: buffer range [%#" PRIx64 "+%#" PRIx64 ") outside 0..%#x or an odd IOVA (%#" PRIx64 ", %#" PRIx64 ")",
			 off, len, IGB_BUF, src, dst);
		return -EINVAL;
	}
	/* receive: scratch for header + filler, then dst in 1 KiB steps */
	rx_add(d, e->own_iova + OWN_SCRATCH);
	for (k = 0; k < len; k += IGB_RXBUF)
		rx_add(d, dst + k);
	tx_add(d, e->own_iova + OWN_HDR, IGB_RXBUF, (uint32_t)(IGB_RXBUF + len), false);
	tx_add(d, src, len, (uint32_t)(IGB_RXBUF + len), true);
	vct_efd_take(d->efd[IGB_VEC_DONE]);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(d, IGB_RDT, d->rx_next);
	wr(d, IGB_TDT, d->tx_next);
	return 0;
}

static int igb_start_write(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len)
{
	return frame(e, e->own_iova + OWN_BUF + off, iova, off, len);
}

static int igb_start_read(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len)
{
	return frame(e, iova, e->own_iova + OWN_BUF + off, off, len);
}

static int igb_wait(struct vct_dma_engine *e, int timeout_ms)
{
	struct igb *d = e->priv;
	struct timespec t0;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!tx_done(d)) {
		left = timeout_ms - ms_since(&t0);
		if (left <= 0) {
			snprintf(e->err, sizeof(e->err),
				 "igb %s: transmit descriptor %u not done after %d ms (TDH %u TDT %u)",
				 e->bdf, d->tx_last, timeout_ms, rd(d, IGB_TDH), rd(d, IGB_TDT));
			return -ETIMEDOUT;
		}
		/* the write-back interrupt wakes us; DD in memory decides */
		vct_efd_wait(d->efd[IGB_VEC_DONE], left < 100 ? (int)left : 100);
	}
	/* real hardware may receive a little after the transmit write-back */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!rx_done(d) && ms_since(&t0) < 100)
		vct_efd_wait(d->efd[IGB_VEC_DONE], 10);
	if (!rx_done(d)) {
		/* dropped (a blocked transmit buffer): take the buffers back */
		d->rx_next = rd(d, IGB_RDH) % IGB_RING;
		wr(d, IGB_RDT, d->rx_next);
	}
	e->status = 0;
	return 0;
}

static int igb_raise_irq(struct vct_dma_engine *e, int timeout_ms)
{
	struct igb *d = e->priv;

	vct_efd_take(d->efd[IGB_VEC_SOFT]);
	wr(d, IGB_EICS, 1u << IGB_VEC_SOFT);
	if (vct_efd_wait(d->efd[IGB_VEC_SOFT], timeout_ms) <= 0) {
		snprintf(e->err, sizeof(e->err), "igb %s: no MSI-X on vector %d within %d ms",
			 e->bdf, IGB_VEC_SOFT, timeout_ms);
		return -ETIMEDOUT;
	}
	return 0;
}

static void quiesce(struct igb *d)
{
	wr(d, IGB_EIMC, ~0u);
	wr(d, IGB_IMC, ~0u);
	wr(d, IGB_RCTL, 0);
	wr(d, IGB_TCTL, 0);
	wr(d, IGB_RXDCTL, 0);
	wr(d, IGB_TXDCTL, 0);
}

static void igb_remove(struct vct_dma_engine *e)
{
	struct igb *d = e->priv;

	if (!d)
		return;
	if (d->bar)
		quiesce(d);
	if (d->irqs)
		irqs_set(e, false);
	set_command(e, 0, PCI_COMMAND_MASTER);
	if (d->bar)
		munmap((void *)d->bar, d->bar_size);
	if (d->mapped)
		__vct_iommu_unmap(e->iommu, e->own_iova, IGB_OWN, NULL);
	if (d->own)
		vct_dma_free(d->own, IGB_OWN);
	for (int i = 0; i < 2; i++)
		if (d->efd[i] >= 0)
			close(d->efd[i]);
	free(d);
	e->priv = NULL;
}

static int igb_init(struct vct_dma_engine *e)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct timespec t0;
	struct igb *d;
	uint8_t *h;
	void *m;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->efd[0] = d->efd[1] = -1;
	e->priv = d;
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(e->device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		ret = -errno;
		snprintf(e->err, sizeof(e->err), "GET_REGION_INFO config: %m");
		goto fail;
	}
	d->cfg_off = ri.offset;
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(e->device_fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		ret = -errno;
		snprintf(e->err, sizeof(e->err), "GET_REGION_INFO BAR0: %m");
		goto fail;
	}
	if (ri.size < 0x10000 || !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		snprintf(e->err, sizeof(e->err), "igb %s: BAR0 is %#llx bytes, flags %#x (needs 64 KiB, mmap)",
			 e->bdf, (unsigned long long)ri.size, ri.flags);
		ret = -ENODEV;
		goto fail;
	}
	m = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, e->device_fd,
		 (off_t)ri.offset);
	if (m == MAP_FAILED) {
		ret = -errno;
		snprintf(e->err, sizeof(e->err), "igb %s: mmap BAR0: %m", e->bdf);
		goto fail;
	}
	d->bar = m;
	d->bar_size = ri.size;
	ret = set_command(e, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
	if (ret)
		goto fail;

	/* software reset: every register to its default, rings off */
	wr(d, IGB_CTRL, rd(d, IGB_CTRL) | IGB_CTRL_RST);
	vct_msleep(10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rd(d, IGB_CTRL) & IGB_CTRL_RST && ms_since(&t0) < 1000)
		vct_msleep(1);
	quiesce(d);

	d->own = vct_dma_alloc(IGB_OWN);
	if (!d->own) {
		ret = -ENOMEM;
		goto fail;
	}
	memset(d->own, 0, IGB_OWN);
	h = d->own + OWN_HDR;
	memset(h, 0xff, 6);				/* broadcast */
	memcpy(h + 6, "\x02\x00\x00\x00\x00\x01", 6);	/* locally administered */
	h[12] = IGB_ETHERTYPE >> 8;
	h[13] = IGB_ETHERTYPE & 0xff;
	ret = __vct_iommu_map(e->iommu, e->own_iova, IGB_OWN, d->own, VCT_PROT_RW);
	if (ret) {
		snprintf(e->err, sizeof(e->err), "igb %s: map own memory at %#" PRIx64 ": %s",
			 e->bdf, e->own_iova, vct_iommu_last_error(e->iommu));
		goto fail;
	}
	d->mapped = true;

	for (int i = 0; i < 2; i++) {
		d->efd[i] = vct_efd_new();
		if (d->efd[i] < 0) {
			ret = d->efd[i];
			goto fail;
		}
	}
	ret = irqs_set(e, true);
	if (ret)
		goto fail;

	/*
	 * Link up: set link up, and restart the PHY's autonegotiation (PHY
	 * register 0 through MDIC), which the software reset leaves undone;
	 * QEMU completes it after its autoneg timer (about 500 ms).
	 */
	wr(d, IGB_CTRL, rd(d, IGB_CTRL) | IGB_CTRL_SLU);
	wr(d, IGB_MDIC, IGB_PHY_BMCR_AN | IGB_MDIC_PHY1 | IGB_MDIC_OP_WRITE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(rd(d, IGB_MDIC) & IGB_MDIC_READY) && ms_since(&t0) < 100)
		vct_msleep(1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(rd(d, IGB_STATUS) & IGB_STATUS_LU) && ms_since(&t0) < 5000)
		vct_msleep(10);
	if (!(rd(d, IGB_STATUS) & IGB_STATUS_LU)) {
		snprintf(e->err, sizeof(e->err), "igb %s: link not up after 5 s (STATUS %#x, MDIC %#x)",
			 e->bdf, rd(d, IGB_STATUS), rd(d, IGB_MDIC));
		ret = -ENODEV;
		goto fail;
	}

	/* interrupts: queue 0's write-backs on vector 0, auto-cleared */
	wr(d, IGB_GPIE, IGB_GPIE_MSIX_MODE | IGB_GPIE_PBA);
	wr(d, IGB_IVAR0, (IGB_IVAR_VALID | IGB_VEC_DONE) |		/* RX queue 0 */
			 (IGB_IVAR_VALID | IGB_VEC_DONE) << 8);		/* TX queue 0 */
	wr(d, IGB_EIAC, 1u << IGB_VEC_DONE | 1u << IGB_VEC_SOFT);
	wr(d, IGB_EIMS, 1u << IGB_VEC_DONE | 1u << IGB_VEC_SOFT);

	/* receive ring 0: 1 KiB buffers, advanced one-buffer descriptors */
	wr(d, IGB_RDBAL, (uint32_t)(e->own_iova + OWN_RX));
	wr(d, IGB_RDBAH, (uint32_t)((e->own_iova + OWN_RX) >> 32));
	wr(d, IGB_RDLEN, IGB_RING * (uint32_t)sizeof(struct rxd));
	wr(d, IGB_SRRCTL, IGB_SRRCTL_ONEBUF | IGB_RXBUF / 1024);
	wr(d, IGB_RDH, 0);
	wr(d, IGB_RDT, 0);
	wr(d, IGB_RXDCTL, IGB_QUEUE_ENABLE);
	/* long frames up to the largest RLPML (header+filler+payload+FCS fit) */
	wr(d, IGB_RLPML, 0x3fff);
	wr(d, IGB_RCTL, IGB_RCTL_EN | IGB_RCTL_UPE | IGB_RCTL_MPE | IGB_RCTL_BAM |
			IGB_RCTL_LPE | IGB_RCTL_LBM_MAC | IGB_RCTL_SECRC);
	/* transmit ring 0 */
	wr(d, IGB_TDBAL, (uint32_t)(e->own_iova + OWN_TX));
	wr(d, IGB_TDBAH, (uint32_t)((e->own_iova + OWN_TX) >> 32));
	wr(d, IGB_TDLEN, IGB_RING * (uint32_t)sizeof(struct txd));
	wr(d, IGB_TDH, 0);
	wr(d, IGB_TDT, 0);
	wr(d, IGB_TXDCTL, IGB_QUEUE_ENABLE);
	wr(d, IGB_TCTL, IGB_TCTL_EN | IGB_TCTL_PSP);
	d->tx_next = d->rx_next = 0;

	e->buf_size = IGB_BUF;
	e->max_len = IGB_BUF;
	e->can_load = true;
	e->reads_compare_only = false;
	e->len_align = 1;
	e->iova_align = 2;
	e->own_va = d->own;
	e->own_len = IGB_OWN;
	return 0;
fail:
	igb_remove(e);
	return ret;
}

const struct vct_dma_driver vct_dma_igb = {
	.name = "igb",
	.probe = igb_probe,
	.init = igb_init,
	.start_write = igb_start_write,
	.start_read = igb_start_read,
	.wait = igb_wait,
	.raise_irq = igb_raise_irq,
	.read_check = NULL,		/* loopback cannot compare */
	.remove = igb_remove,
};
