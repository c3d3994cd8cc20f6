package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procStartTime reads this process's start from /proc (clock ticks since boot, USER_HZ = 100 on Linux).
func procStartTime() (time.Time, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return time.Time{}, err
	}
	// Fields after the command name, which is in parentheses and may contain spaces.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 20 {
		return time.Time{}, fmt.Errorf("short /proc/self/stat")
	}
	ticks, err := strconv.ParseFloat(fields[19], 64)
	if err != nil {
		return time.Time{}, err
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return time.Time{}, err
	}
	uptime, err := strconv.ParseFloat(strings.Fields(string(up))[0], 64)
	if err != nil {
		return time.Time{}, err
	}
	age := time.Duration((uptime - ticks/100) * float64(time.Second))
	return time.Now().Add(-age), nil
}
