/* Wine 8 stand-in for bcryptprimitives.dll: exports ProcessPrng, which Bun's Windows runtime imports and
 * Wine 8's builtin lacks. Forwards to RtlGenRandom (advapi32 SystemFunction036). Built by build-shim.ts. */
#include <windows.h>

/* RtlGenRandom's real export name; declared here because <ntsecapi.h> only offers it behind a macro. */
__declspec(dllimport) BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* SIZE_T is 64-bit but RtlGenRandom takes a ULONG: fill large requests in chunks. */
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
