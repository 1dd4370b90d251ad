/* XSDT: the FADT at 0xE0100 and the MADT at 0xE0300 (acpi.h). */
[0004]                          Signature : "XSDT"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "HVTB  "
[0008]                       Oem Table ID : "HVTBWRKR"
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0008]             ACPI Table Address   0 : 00000000000E0100
[0008]             ACPI Table Address   1 : 00000000000E0300
