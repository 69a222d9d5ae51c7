# bats-libs.bash — loads bats-support and bats-assert from wherever Debian (or a local
# install, or BATS_LIB_PATH) put them. Sourced by the suites' helpers.bash.

_load_lib() {
        local d
        for d in "${BATS_LIB_PATH:-/usr/lib/bats}" /usr/lib/bats /usr/local/lib/bats /usr/lib; do
                if [[ -f $d/$1/load.bash ]]; then
                        load "$d/$1/load.bash"
                        return 0
                fi
        done
        echo "helpers.bash: cannot find $1 (apt-get install $1)" >&2
        return 1
}
_load_lib bats-support
_load_lib bats-assert
