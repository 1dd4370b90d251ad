/*
 * DSDT of hvtb-worker guests.
 * - \_S5: power-off through the FADT's sleep control register (I/O 0x400).
 * - \_SB.COM1: the 16550 at 0x3F8 on ISA IRQ 4 (the worker's I/O APIC,
 *   pin 4, edge, active high; no PIC).
 * - \_SB.VMBS: the VMBus device the guest's hv_vmbus binds to (issue 13).
 */
DefinitionBlock ("dsdt.aml", "DSDT", 2, "HVTB  ", "HVTBWRKR", 0x00000001)
{
    Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })

    Scope (\_SB)
    {
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Method (_STA, 0, NotSerialized) { Return (0x0F) }
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
                IRQNoFlags () { 4 }
            })
        }

        Device (VMBS)
        {
            /* A method: iasl wants 7-8 characters in a _HID string. */
            Method (_HID, 0, NotSerialized) { Return ("VMBus") }
            Name (_UID, Zero)
            Name (_DDN, "VMBUS")
            Method (_STA, 0, NotSerialized) { Return (0x0F) }
            Name (_CRS, ResourceTemplate () { })
        }
    }
}
