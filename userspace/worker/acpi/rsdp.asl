/*
 * RSDP of hvtb-worker guests (ACPI 2.0+, data table compiled by iasl).
 * The worker places it at GPA 0xE0000 and the XSDT at 0xE0040
 * (layout: userspace/worker/acpi.h); iasl computes both checksums.
 */
[0008]                          Signature : "RSD PTR "
[0001]                           Checksum : 00
[0006]                             Oem ID : "HVTB  "
[0001]                           Revision : 02
[0004]                       RSDT Address : 00000000
[0004]                             Length : 00000024
[0008]                       XSDT Address : 00000000000E0040
[0001]                  Extended Checksum : 00
[0003]                           Reserved : 000000
