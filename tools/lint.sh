#!/usr/bin/env bash
# lint.sh - the checks a compiler does not make: banned functions (curl's checksrc idea), every
# public header compiling on its own, and cppcheck.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
src=$(git ls-files 'fcgi/*.c' 'fcgi/*.h' 'jobs/*.c' 'jobs/*.h' 'tools/*.c' 'tests/*.c' 'bench/*.c' 2>/dev/null)

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atof|strncpy)\s*\('
if grep -nE "$banned" $src | grep -v '^\S*:\s*/\*'; then
    echo "lint: banned function (use snprintf, ct_buf, strtoll with checks, memcpy with lengths)"
    fail=1
fi

cflags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ifcgi/lib/include $(pkg-config --cflags json-c libmariadb)"
for h in fcgi/lib/include/ct/*.h; do
    if ! echo "#include \"${h#fcgi/lib/include/}\"" | cc $cflags -x c -fsyntax-only - ; then
        echo "lint: $h does not compile on its own"
        fail=1
    fi
done

if command -v cppcheck >/dev/null; then
    cppcheck -q --enable=warning,performance,portability --error-exitcode=1 \
        --suppress=missingIncludeSystem -Ifcgi/lib/include fcgi/ jobs/ tools/*.c || fail=1
fi
exit $fail
